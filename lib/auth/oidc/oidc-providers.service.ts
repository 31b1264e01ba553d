import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../../actor';
import { requireRole, requireSameTenant } from '../../actor';
import { SUPER_TENANT } from '../../super-tenant';
import { recordAudit } from '../../audit/audit.service';
import { db } from '../../db/drizzle';
import { oidcProviders, tenants, type OidcRoleMapping, type Role } from '../../db/schema';
import { notFound } from '../../errors';
import { publicBaseUrl } from '../../env';
import { decryptSecret, encryptSecret } from '../../secrets';
import type { CreateOidcProviderInput, UpdateOidcProviderInput } from './oidc-provider.schema';
import { DATABASE_PROVIDER_PREFIX, PLATFORM_PROVIDER_PREFIX, redirectPathFor, type OidcProviderConfig } from './oidc-provider-config';
import { platformOidcProviders } from './platform-oidc-providers';

/** What the admin page shows of a provider: never the secret, only that one is set. */
export interface OidcProviderSummary {
  id: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecretSet: true;
  scopes: string;
  roleClaim: string | null;
  roleMappings: OidcRoleMapping[];
  defaultRole: Role;
  allowedEmailDomains: string[];
  enabled: boolean;
  /** The redirect URI to register with the provider. */
  redirectUri: string;
}

export interface TenantSignInPolicy {
  localPasswordsAdminsOnly: boolean;
  /** deployment.toml providers (super tenant only): shown, not editable here. */
  platformProviders: { key: string; displayName: string; issuer: string; redirectUri: string }[];
}

const redirectUriFor = (key: string) => `${publicBaseUrl()}${redirectPathFor(key)}`;

export async function listOidcProviders(actor: Actor): Promise<OidcProviderSummary[]> {
  requireRole(actor, 'admin');
  const rows = await (await db()).select().from(oidcProviders).where(eq(oidcProviders.tenantId, actor.tenantId)).orderBy(asc(oidcProviders.createdAt));
  return rows.map((row) => ({
    id: row.id,
    displayName: row.displayName,
    issuer: row.issuer,
    clientId: row.clientId,
    clientSecretSet: true,
    scopes: row.scopes,
    roleClaim: row.roleClaim,
    roleMappings: row.roleMappings,
    defaultRole: row.defaultRole,
    allowedEmailDomains: row.allowedEmailDomains,
    enabled: row.enabled,
    redirectUri: redirectUriFor(`${DATABASE_PROVIDER_PREFIX}${row.id}`),
  }));
}

export async function tenantSignInPolicy(actor: Actor): Promise<TenantSignInPolicy> {
  requireRole(actor, 'admin');
  const [tenant] = await (await db()).select({ localPasswordsAdminsOnly: tenants.localPasswordsAdminsOnly }).from(tenants).where(eq(tenants.id, actor.tenantId));
  const platform = actor.tenantDomain === SUPER_TENANT ? await platformOidcProviders() : [];
  return {
    localPasswordsAdminsOnly: tenant?.localPasswordsAdminsOnly ?? false,
    platformProviders: platform.map((provider) => ({ key: provider.key, displayName: provider.displayName, issuer: provider.issuer, redirectUri: redirectUriFor(provider.key) })),
  };
}

function storedFields(input: CreateOidcProviderInput | UpdateOidcProviderInput) {
  return {
    displayName: input.displayName,
    issuer: input.issuer,
    clientId: input.clientId,
    scopes: input.scopes,
    roleClaim: input.roleClaim || null,
    roleMappings: input.roleMappings,
    defaultRole: input.defaultRole,
    allowedEmailDomains: input.allowedEmailDomains,
    enabled: input.enabled,
  };
}

export async function createOidcProvider(actor: Actor, input: CreateOidcProviderInput): Promise<OidcProviderSummary> {
  requireRole(actor, 'admin');
  const fields = storedFields(input);
  const id = await (await db()).transaction(async (tx) => {
    const [row] = await tx
      .insert(oidcProviders)
      .values({ tenantId: actor.tenantId, ...fields, clientSecretEncrypted: encryptSecret(input.clientSecret) })
      .returning({ id: oidcProviders.id });
    await recordAudit(tx, actor, { action: 'oidc-provider.create', objectType: 'oidc-provider', objectId: row!.id, after: { ...fields, clientSecret: true } });
    return row!.id;
  });
  const created = (await listOidcProviders(actor)).find((provider) => provider.id === id);
  return created!;
}

/** An empty secret keeps the stored one: the page never has it to send back. */
export async function updateOidcProvider(actor: Actor, input: UpdateOidcProviderInput): Promise<void> {
  requireRole(actor, 'admin');
  const fields = storedFields(input);
  await (await db()).transaction(async (tx) => {
    const [existing] = await tx.select().from(oidcProviders).where(eq(oidcProviders.id, input.id));
    requireSameTenant(actor, existing, 'That provider');
    await tx
      .update(oidcProviders)
      .set({ ...fields, ...(input.clientSecret ? { clientSecretEncrypted: encryptSecret(input.clientSecret) } : {}), updatedAt: new Date() })
      .where(and(eq(oidcProviders.id, input.id), eq(oidcProviders.tenantId, actor.tenantId)));
    const { clientSecretEncrypted: _secret, ...before } = existing!;
    await recordAudit(tx, actor, {
      action: 'oidc-provider.update',
      objectType: 'oidc-provider',
      objectId: input.id,
      before: { ...pickKeys(before, fields), clientSecret: 'previous' },
      after: { ...fields, clientSecret: input.clientSecret ? 'new' : 'previous' },
    });
  });
}

function pickKeys<T extends object>(row: Record<string, unknown>, shape: T): Partial<T> {
  return Object.fromEntries(Object.keys(shape).map((key) => [key, row[key]])) as Partial<T>;
}

/** Users it created stay (with their identity links), so re-adding the provider finds them again. */
export async function deleteOidcProvider(actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin');
  await (await db()).transaction(async (tx) => {
    const deleted = await tx
      .delete(oidcProviders)
      .where(and(eq(oidcProviders.id, id), eq(oidcProviders.tenantId, actor.tenantId)))
      .returning({ id: oidcProviders.id, displayName: oidcProviders.displayName, issuer: oidcProviders.issuer });
    if (deleted.length === 0) throw notFound('That provider');
    await recordAudit(tx, actor, { action: 'oidc-provider.delete', objectType: 'oidc-provider', objectId: id, before: { displayName: deleted[0]!.displayName, issuer: deleted[0]!.issuer } });
  });
}

export async function setLocalPasswordsAdminsOnly(actor: Actor, adminsOnly: boolean): Promise<void> {
  requireRole(actor, 'admin');
  await (await db()).transaction(async (tx) => {
    const [before] = await tx.select({ localPasswordsAdminsOnly: tenants.localPasswordsAdminsOnly }).from(tenants).where(eq(tenants.id, actor.tenantId));
    await tx.update(tenants).set({ localPasswordsAdminsOnly: adminsOnly }).where(eq(tenants.id, actor.tenantId));
    await recordAudit(tx, actor, { action: 'settings.local-passwords.update', objectType: 'tenant', objectId: actor.tenantId, before: before ?? null, after: { localPasswordsAdminsOnly: adminsOnly } });
  });
}

/** Public: what the sign-in page offers for a tenant. Unknown tenants have no providers, like a tenant without any. */
export async function signInOptionsFor(tenantDomain: string): Promise<{ tenantDomain: string; tenantName: string | null; providers: { key: string; displayName: string }[] }> {
  const database = await db();
  const [tenant] = await database.select({ id: tenants.id, displayName: tenants.displayName }).from(tenants).where(eq(tenants.domain, tenantDomain));
  if (!tenant) return { tenantDomain, tenantName: null, providers: [] };
  const rows = await database
    .select({ id: oidcProviders.id, displayName: oidcProviders.displayName })
    .from(oidcProviders)
    .where(and(eq(oidcProviders.tenantId, tenant.id), eq(oidcProviders.enabled, true)))
    .orderBy(asc(oidcProviders.createdAt));
  const platform = tenantDomain === SUPER_TENANT ? await platformOidcProviders() : [];
  return {
    tenantDomain,
    tenantName: tenant.displayName,
    providers: [
      ...platform.map((provider) => ({ key: provider.key, displayName: provider.displayName })),
      ...rows.map((row) => ({ key: `${DATABASE_PROVIDER_PREFIX}${row.id}`, displayName: row.displayName })),
    ],
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The enabled provider behind a next-auth provider id, with its secret decrypted, or null. Server-side only. */
export async function oidcProviderConfig(key: string): Promise<OidcProviderConfig | null> {
  const database = await db();
  if (key.startsWith(PLATFORM_PROVIDER_PREFIX)) {
    const provider = (await platformOidcProviders()).find((candidate) => candidate.key === key);
    if (!provider) return null;
    const [tenant] = await database.select({ id: tenants.id }).from(tenants).where(eq(tenants.domain, SUPER_TENANT));
    return tenant ? { ...provider, tenantId: tenant.id, tenantDomain: SUPER_TENANT } : null;
  }
  const id = key.slice(DATABASE_PROVIDER_PREFIX.length);
  if (!key.startsWith(DATABASE_PROVIDER_PREFIX) || !UUID.test(id)) return null;
  const [row] = await database
    .select({ provider: oidcProviders, tenantDomain: tenants.domain })
    .from(oidcProviders)
    .innerJoin(tenants, eq(tenants.id, oidcProviders.tenantId))
    .where(and(eq(oidcProviders.id, id), eq(oidcProviders.enabled, true)));
  if (!row) return null;
  const { provider } = row;
  return {
    key,
    tenantId: provider.tenantId,
    tenantDomain: row.tenantDomain,
    displayName: provider.displayName,
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: decryptSecret(provider.clientSecretEncrypted),
    scopes: provider.scopes,
    roleClaim: provider.roleClaim,
    roleMappings: provider.roleMappings,
    defaultRole: provider.defaultRole,
    allowedEmailDomains: provider.allowedEmailDomains,
  };
}
