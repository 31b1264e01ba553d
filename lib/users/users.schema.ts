import { z } from 'zod';
import { newPasswordSchema, tenantDomainSchema, usernameSchema } from '../auth/identity';
import { SUPER_TENANT } from '../super-tenant';
import { roleValues } from '../db/schema';

const displayName = z.string().trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.');
const email = z
  .string()
  .trim()
  .max(254)
  .refine((value) => value === '' || z.email().safeParse(value).success, 'Enter a valid email address, or leave it empty.')
  .transform((value) => value || null);

/** Roles from a checkbox group: one value arrives as a string, several as an array. */
const roles = z
  .union([z.enum(roleValues), z.array(z.enum(roleValues))], { error: 'Pick at least one role.' })
  .transform((value) => [...new Set(Array.isArray(value) ? value : [value])])
  .refine((value) => value.length > 0, 'Pick at least one role.');

export const createUserSchema = z.object({
  username: usernameSchema,
  displayName,
  email,
  password: newPasswordSchema,
  roles,
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const setRolesSchema = z.object({ userId: z.uuid(), roles });

export const signUpSchema = z
  .object({
    tenant: z.union([z.literal(SUPER_TENANT), tenantDomainSchema]).default(SUPER_TENANT),
    username: usernameSchema,
    displayName,
    email,
    password: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((value) => value.password === value.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two passwords differ.',
  });
export type SignUpInput = z.infer<typeof signUpSchema>;
