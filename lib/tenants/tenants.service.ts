import { asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { isSuperTenantAdmin, requireRole, requireSuperTenantAdmin } from '../actor';
import { SUPER_TENANT } from '../super-tenant';
import { hashPassword } from '../auth/password';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { isUniqueViolation } from '../db/errors';
import { selfSignupDefault } from '../env';
import { tenants, users } from '../db/schema';
import { conflict } from '../errors';
import type { CreateTenantInput } from './tenants.schema';

export interface TenantSummary {
  id: string;
  domain: string;
  displayName: string;
  selfSignup: boolean;
  userCount: number;
}

/** Public facts only: which portals exist and whether they take sign-ups (for sign-up and the tenant switch). */
export async function listPortalTenants(): Promise<{ domain: string; displayName: string; selfSignup: boolean }[]> {
  return (await db())
    .select({ domain: tenants.domain, displayName: tenants.displayName, selfSignup: tenants.selfSignup })
    .from(tenants)
    .orderBy(asc(tenants.displayName));
}

/** The super tenant's admins see every tenant; any other admin sees only their own. */
export async function listTenants(actor: Actor): Promise<TenantSummary[]> {
  requireRole(actor, 'admin');
  const query = (await db())
    .select({
      id: tenants.id,
      domain: tenants.domain,
      displayName: tenants.displayName,
      selfSignup: tenants.selfSignup,
      userCount: sql<number>`(select count(*)::int from ${users} where ${users.tenantId} = ${tenants.id})`,
    })
    .from(tenants)
    .orderBy(asc(tenants.domain));
  return isSuperTenantAdmin(actor) ? query : query.where(eq(tenants.id, actor.tenantId));
}

export async function createTenant(actor: Actor, input: CreateTenantInput): Promise<TenantSummary> {
  requireSuperTenantAdmin(actor);
  if (input.domain === SUPER_TENANT) throw conflict('That tenant exists.', { domain: ['That tenant exists.'] });
  const passwordHash = await hashPassword(input.adminPassword);
  try {
    return await (await db()).transaction(async (tx) => {
      const [tenant] = await tx
        .insert(tenants)
        .values({ domain: input.domain, displayName: input.displayName, selfSignup: selfSignupDefault() })
        .returning();
      const [admin] = await tx
        .insert(users)
        .values({ tenantId: tenant!.id, username: input.adminUsername, displayName: input.adminUsername, passwordHash, roles: ['admin'] })
        .returning({ id: users.id });
      await recordAudit(tx, actor, {
        action: 'tenant.create',
        objectType: 'tenant',
        objectId: tenant!.id,
        after: { domain: input.domain, displayName: input.displayName, selfSignup: tenant!.selfSignup, adminUsername: input.adminUsername, adminUserId: admin!.id, adminPassword: true },
      });
      return { ...tenant!, userCount: 1 };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('That tenant exists.', { domain: ['That tenant exists.'] });
    throw error;
  }
}

export async function setSelfSignup(actor: Actor, selfSignup: boolean): Promise<void> {
  requireRole(actor, 'admin');
  await (await db()).transaction(async (tx) => {
    const [before] = await tx.select({ selfSignup: tenants.selfSignup }).from(tenants).where(eq(tenants.id, actor.tenantId));
    await tx.update(tenants).set({ selfSignup }).where(eq(tenants.id, actor.tenantId));
    await recordAudit(tx, actor, { action: 'settings.self-signup.update', objectType: 'tenant', objectId: actor.tenantId, before: before ?? null, after: { selfSignup } });
  });
}

export async function tenantSettings(actor: Actor): Promise<{ domain: string; displayName: string; selfSignup: boolean }> {
  requireRole(actor, 'admin');
  const [tenant] = await (await db())
    .select({ domain: tenants.domain, displayName: tenants.displayName, selfSignup: tenants.selfSignup })
    .from(tenants)
    .where(eq(tenants.id, actor.tenantId));
  return tenant!;
}
