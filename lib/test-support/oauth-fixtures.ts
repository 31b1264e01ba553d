import { randomBytes } from 'node:crypto';
import { vi } from 'vitest';
import type { Actor } from '../actor';
import type { Database } from '../db/drizzle';
import { apis, tenants, users, type ApiState, type Role } from '../db/schema';

/** Test data for the developer-portal backend, inserted directly: these tests are not about tenants or users. */

/** A master key of the test's own, so secrets at rest never touch the data folder. */
export function useThrowawaySecretKey(): void {
  vi.stubEnv('PRIVATEJET_SECRET_KEY', randomBytes(32).toString('hex'));
}

export interface TestTenant {
  id: string;
  domain: string;
}

export async function insertTenant(database: Database, domain: string): Promise<TestTenant> {
  const [tenant] = await database.insert(tenants).values({ domain, displayName: domain }).returning({ id: tenants.id, domain: tenants.domain });
  return tenant!;
}

export async function insertUser(database: Database, tenant: TestTenant, username: string, roles: Role[]): Promise<Actor> {
  const [user] = await database
    .insert(users)
    .values({ tenantId: tenant.id, username, displayName: username, passwordHash: 'unused-in-these-tests', roles })
    .returning({ id: users.id });
  return { userId: user!.id, username, displayName: username, roles, tenantId: tenant.id, tenantDomain: tenant.domain };
}

export interface TestApi {
  id: string;
  name: string;
  version: string;
  context: string;
}

export async function insertApi(
  database: Database,
  tenant: TestTenant,
  api: { name: string; version?: string; state?: ApiState; tiers?: string[]; visibility?: 'public' | 'private'; subscriptionApproval?: boolean },
): Promise<TestApi> {
  const version = api.version ?? 'v1';
  const context = `/${api.name.toLowerCase()}`;
  const [row] = await database
    .insert(apis)
    .values({
      tenantId: tenant.id,
      name: api.name,
      version,
      context,
      visibility: api.visibility ?? 'public',
      subscriptionApproval: api.subscriptionApproval ?? false,
      state: api.state ?? 'PUBLISHED',
      productionEndpoints: ['http://backend.test'],
      openapi: { openapi: '3.0.3', info: { title: api.name, version }, paths: {} },
      security: { oauth2: true, basic: false },
      tiers: api.tiers ?? ['Gold', 'Unlimited'],
      cors: { enabled: false, allowedOrigins: [] },
    })
    .returning({ id: apis.id, name: apis.name, version: apis.version, context: apis.context });
  return row!;
}
