import type { KnownClusterProperties } from './cluster-definition';

/**
 * The SharedWithTenants property of a platform cluster (deployment.toml): a comma-separated list
 * of tenant domains, or "*", that may deploy to it besides the super tenant.
 */

const TENANT_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

function tenantListEntries(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** Whether a platform cluster's SharedWithTenants lets `tenantDomain` deploy to it. */
export function isSharedWithTenant(properties: Pick<KnownClusterProperties, 'SharedWithTenants'>, tenantDomain: string): boolean {
  const entries = tenantListEntries(properties.SharedWithTenants ?? '');
  return entries.includes('*') || entries.some((entry) => entry.toLowerCase() === tenantDomain.toLowerCase());
}

/** Whether `text` is a list of tenant domains and "*" entries, as SharedWithTenants must be. */
export function isTenantDomainList(text: string): boolean {
  return tenantListEntries(text).every((entry) => entry === '*' || TENANT_DOMAIN.test(entry));
}
