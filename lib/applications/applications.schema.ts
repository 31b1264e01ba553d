import { z } from 'zod';
import { TIER_NAMES, type TierName } from '../tiers';
import { keyTypeValues, type KeyType } from '../key-types';
import { invalid } from '../errors';
import { DEFAULT_TOKEN_VALIDITY_SECONDS, MAX_TOKEN_VALIDITY_SECONDS, MIN_TOKEN_VALIDITY_SECONDS } from '../oauth/token-lifetime';

/**
 * An application's tier, as in WSO2's developer portal: recorded and carried in its tokens.
 * Gateways throttle by each subscription's tier; the tiers are the platform's one list.
 */
export const applicationTierValues = TIER_NAMES as [TierName, ...TierName[]];
export type ApplicationTier = TierName;

export const tokenTypeValues = ['JWT', 'OPAQUE'] as const;
export type TokenType = (typeof tokenTypeValues)[number];

export const applicationInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name.')
    .max(100, 'Use at most 100 characters.'),
  description: z.string().trim().max(1000, 'Use at most 1000 characters.').default(''),
  tier: z.enum(applicationTierValues, { error: `Pick one of ${applicationTierValues.join(', ')}.` }).default('Unlimited'),
});
/** Creating and editing an application take the same fields. */
export type ApplicationInput = z.infer<typeof applicationInputSchema>;

/** Which of an application's two key pairs: production, or sandbox (tokens reach APIs' sandbox endpoints). */
export const keyTypeSchema = z.enum(keyTypeValues, { error: 'Choose production or sandbox keys.' });

/** A key type passed to an action as an argument rather than a form field: refused like any invalid input. */
export function parseKeyType(value: unknown): KeyType {
  const parsed = keyTypeSchema.safeParse(value);
  if (!parsed.success) throw invalid('Choose production or sandbox keys.');
  return parsed.data;
}

export const keySettingsSchema = z.object({
  tokenValiditySeconds: z.coerce
    .number({ error: 'Enter a number of seconds.' })
    .int('Enter a whole number of seconds.')
    .min(MIN_TOKEN_VALIDITY_SECONDS, `Use at least ${MIN_TOKEN_VALIDITY_SECONDS} seconds.`)
    .max(MAX_TOKEN_VALIDITY_SECONDS, `Use at most ${MAX_TOKEN_VALIDITY_SECONDS} seconds (one year).`)
    .default(DEFAULT_TOKEN_VALIDITY_SECONDS),
  tokenType: z.enum(tokenTypeValues, { error: 'Pick JWT or OPAQUE.' }).default('JWT'),
});
export type KeySettings = z.infer<typeof keySettingsSchema>;
