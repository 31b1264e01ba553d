import { z } from 'zod';
import { newPasswordSchema, tenantDomainSchema, usernameSchema } from '../auth/identity';

export const createTenantSchema = z.object({
  domain: tenantDomainSchema,
  displayName: z.string().trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.'),
  adminUsername: usernameSchema,
  adminPassword: newPasswordSchema,
});
export type CreateTenantInput = z.infer<typeof createTenantSchema>;

export const selfSignupSchema = z.object({ selfSignup: z.enum(['on', 'off']).transform((value) => value === 'on') });
