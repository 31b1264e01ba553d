import type { Role } from '../../db/schema';
import { roleValues } from '../../db/schema';
import { usernameSchema } from '../identity';
import type { OidcProviderConfig } from './oidc-provider-config';

/** The claims of a validated ID token that sign-in reads. */
export type IdTokenClaims = Record<string, unknown> & { iss: string; sub: string };

/**
 * The roles a person gets from the provider's claim: every mapping whose value the claim holds
 * (a string, or a list of strings as `groups` usually is), or the default role when none does.
 */
export function rolesFromClaims(claims: IdTokenClaims, provider: Pick<OidcProviderConfig, 'roleClaim' | 'roleMappings' | 'defaultRole'>): Role[] {
  const raw = provider.roleClaim ? claims[provider.roleClaim] : undefined;
  const values = new Set((Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === 'string'));
  const mapped = provider.roleMappings.filter((mapping) => values.has(mapping.value)).map((mapping) => mapping.role);
  const roles = mapped.length > 0 ? mapped : [provider.defaultRole];
  return roleValues.filter((role) => roles.includes(role));
}

/**
 * With an allow-list, only a verified e-mail address of a listed domain (or a subdomain of one)
 * signs in: a provider that says `email_verified: false` lets anyone type any address.
 */
export function emailDomainAllowed(claims: IdTokenClaims, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email || claims.email_verified === false) return false;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return allowedDomains.some((allowed) => domain === allowed || domain.endsWith(`.${allowed}`));
}

/** A readable username for a new account: preferred_username, else the e-mail's local part, else the subject. */
export function usernameCandidateFrom(claims: IdTokenClaims): string {
  const tries = [claims.preferred_username, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined, claims.sub];
  for (const value of tries) {
    if (typeof value !== 'string') continue;
    const cleaned = value.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 48);
    if (usernameSchema.safeParse(cleaned).success) return cleaned;
  }
  return 'user';
}

export function displayNameFrom(claims: IdTokenClaims, username: string): string {
  const name = typeof claims.name === 'string' ? claims.name.trim() : '';
  return (name || username).slice(0, 200);
}
