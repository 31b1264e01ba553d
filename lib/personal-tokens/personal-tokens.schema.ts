import { z } from 'zod';
import { scopeValues } from './scopes';

export const MAX_TOKEN_DAYS = 365;
export const DEFAULT_TOKEN_DAYS = 30;
/** Enough for every pipeline a person runs; a bound so a script gone wrong cannot make millions. */
export const MAX_TOKENS_PER_USER = 50;

/** Form fields arrive as strings; a checkbox group as a string or an array. */
const checkedList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const personalTokenNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name, such as "ci-petstore".')
  .max(60, 'Use at most 60 characters.')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._@:/-]*$/u, 'Use letters, digits, spaces and . _ - @ : /');

export const createPersonalTokenSchema = z.object({
  name: personalTokenNameSchema,
  scopes: checkedList.pipe(z.array(z.enum(scopeValues, { error: 'Pick scopes from the list.' })).min(1, 'Pick at least one scope.')),
  expiresInDays: z.coerce
    .number({ error: 'Enter a number of days.' })
    .int('Enter a whole number of days.')
    .min(1, 'Use at least 1 day.')
    .max(MAX_TOKEN_DAYS, `Use at most ${MAX_TOKEN_DAYS} days: tokens must expire.`)
    .default(DEFAULT_TOKEN_DAYS),
});
export type CreatePersonalTokenInput = z.infer<typeof createPersonalTokenSchema>;
