import { z } from 'zod';
import { SUPER_TENANT } from '../super-tenant';
import { PASSWORD_MIN_LENGTH } from './password';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'Use at least 2 characters.')
  .max(64, 'Use at most 64 characters.')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Use letters, digits, dots, dashes or underscores, starting with a letter or digit.');

export const tenantDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, 'Use at most 253 characters.')
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
    'Use a domain such as example.com.',
  );

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(256, 'Use at most 256 characters.');

export interface SignInIdentity {
  username: string;
  tenantDomain: string;
}

/**
 * Users sign in as `name` (super tenant) or `name@tenant`. Usernames never contain `@`,
 * so the first `@` splits the two without ambiguity.
 */
export function parseSignInIdentifier(identifier: string): SignInIdentity | null {
  const trimmed = identifier.trim().toLowerCase();
  const at = trimmed.indexOf('@');
  const username = at === -1 ? trimmed : trimmed.slice(0, at);
  const tenantDomain = at === -1 ? SUPER_TENANT : trimmed.slice(at + 1);
  if (!usernameSchema.safeParse(username).success) return null;
  if (tenantDomain !== SUPER_TENANT && !tenantDomainSchema.safeParse(tenantDomain).success) return null;
  return { username, tenantDomain };
}

export function formatSignInIdentifier({ username, tenantDomain }: SignInIdentity): string {
  return tenantDomain === SUPER_TENANT ? username : `${username}@${tenantDomain}`;
}
