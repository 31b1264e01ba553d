import type { OidcRoleMapping, Role } from '../../db/schema';

/** Everything the sign-in needs of one provider, wherever it was configured (database or deployment.toml). Server-side only: it holds the secret. */
export interface OidcProviderConfig {
  /** next-auth's provider id and the last segment of the redirect URI: `oidc-<row id>` or `oidc-platform-<name>`. */
  key: string;
  tenantId: string;
  tenantDomain: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  roleClaim: string | null;
  roleMappings: OidcRoleMapping[];
  defaultRole: Role;
  allowedEmailDomains: string[];
}

export const DATABASE_PROVIDER_PREFIX = 'oidc-';
export const PLATFORM_PROVIDER_PREFIX = 'oidc-platform-';

/** The path a provider must allow as redirect URI, below the portal's public URL. */
export function redirectPathFor(key: string): string {
  return `/api/auth/callback/${key}`;
}

/** The tenant whose sign-in page a person last started a provider's flow from (not secret: a tenant's domain). */
export const SIGN_IN_TENANT_COOKIE = 'privatejet-sign-in-tenant';
