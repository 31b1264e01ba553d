import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { verifyCredentials } from '../auth/credentials';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { seedIfEmpty } from '../seed';
import { createTenant, listTenants, setSelfSignup } from '../tenants/tenants.service';
import { createUserSchema, signUpSchema } from './users.schema';
import { createTenantUser, listTenantUsers, setUserRoles, signUpDeveloper } from './users.service';

let database: DatabaseHandle;
let superAdmin: Actor;

async function actorFor(identifier: string, password: string): Promise<Actor> {
  const result = await verifyCredentials(database.db, identifier, password);
  if (!result.ok) throw new Error(`cannot sign in ${identifier}`);
  const [tenantDomain = 'carbon.super'] = identifier.split('@').slice(1);
  const user = (await database.db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, result.userId) }))!;
  const tenant = (await database.db.query.tenants.findFirst({ where: (t, { eq }) => eq(t.domain, tenantDomain) }))!;
  return { userId: user.id, username: user.username, displayName: user.displayName, roles: user.roles, tenantId: tenant.id, tenantDomain };
}

async function errorKind(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.kind : String(error);
  }
}

beforeAll(async () => {
  database = await freshTestDatabase();
  await seedIfEmpty(database.db, { PRIVATEJET_ADMIN_PASSWORD: 'admin-password-1' });
  superAdmin = await actorFor('admin', 'admin-password-1');
});

afterAll(async () => {
  await database.close();
});

describe('users and tenants', () => {
  it('lets an admin add a user who can then sign in', async () => {
    const input = createUserSchema.parse({ username: 'Carol', displayName: 'Carol', email: '', password: 'carol-password', roles: 'publisher' });
    const user = await createTenantUser(superAdmin, input);
    expect(user).toMatchObject({ username: 'carol', roles: ['publisher'], email: null });
    expect((await verifyCredentials(database.db, 'carol', 'carol-password')).ok).toBe(true);
  });

  it('refuses a taken username with a field error', async () => {
    const input = createUserSchema.parse({ username: 'carol', displayName: 'Other', email: '', password: 'another-password', roles: ['subscriber'] });
    await expect(createTenantUser(superAdmin, input)).rejects.toMatchObject({ kind: 'conflict', fieldErrors: { username: ['That username is taken.'] } });
  });

  it('keeps each tenant to itself', async () => {
    await createTenant(superAdmin, { domain: 'example.com', displayName: 'Example', adminUsername: 'boss', adminPassword: 'boss-password-1' });
    const tenantAdmin = await actorFor('boss@example.com', 'boss-password-1');
    expect((await listTenantUsers(tenantAdmin)).map((u) => u.username)).toEqual(['boss']);
    expect((await listTenantUsers(superAdmin)).map((u) => u.username)).not.toContain('boss');
    expect((await listTenants(tenantAdmin)).map((t) => t.domain)).toEqual(['example.com']);
    // Another tenant's user id is simply not found.
    const superUsers = await listTenantUsers(superAdmin);
    expect(await errorKind(setUserRoles(tenantAdmin, superUsers[0]!.id, ['admin']))).toBe('not_found');
  });

  it('lets only super-tenant admins create tenants', async () => {
    const tenantAdmin = await actorFor('boss@example.com', 'boss-password-1');
    expect(await errorKind(createTenant(tenantAdmin, { domain: 'evil.com', displayName: 'E', adminUsername: 'x1', adminPassword: 'xxxxxxxxxxxx' }))).toBe('forbidden');
    expect(await errorKind(createTenant(superAdmin, { domain: 'example.com', displayName: 'Again', adminUsername: 'x1', adminPassword: 'xxxxxxxxxxxx' }))).toBe('conflict');
  });

  it('refuses non-admins and stops admins from removing their own admin role', async () => {
    const publisher = await actorFor('carol', 'carol-password');
    expect(await errorKind(listTenantUsers(publisher))).toBe('forbidden');
    expect(await errorKind(setUserRoles(superAdmin, superAdmin.userId, ['publisher']))).toBe('forbidden');
  });

  it('keeps sign-up closed on a new tenant until its admin opens it', async () => {
    const boss = await actorFor('boss@example.com', 'boss-password-1');
    expect((await listTenants(boss))[0]).toMatchObject({ domain: 'example.com', selfSignup: false });
    const input = signUpSchema.parse({ tenant: 'example.com', username: 'dev1', displayName: 'Dev', email: 'dev@example.com', password: 'dev-password-1', confirmPassword: 'dev-password-1' });
    expect(await errorKind(signUpDeveloper(input))).toBe('forbidden');

    await setSelfSignup(boss, true);
    expect(await signUpDeveloper(input)).toEqual({ identifier: 'dev1@example.com' });
    const developer = await actorFor('dev1@example.com', 'dev-password-1');
    expect(developer.roles).toEqual(['subscriber']);

    await setSelfSignup(boss, false);
    expect(await errorKind(signUpDeveloper({ ...input, username: 'dev2' }))).toBe('forbidden');
    await setSelfSignup(boss, true);
  });

  it('answers a taken name exactly as a free one, after the same work, and leaves the taken account alone', async () => {
    const signUp = (username: string, password: string) =>
      signUpDeveloper(signUpSchema.parse({ tenant: 'example.com', username, displayName: 'Mallory', email: '', password, confirmPassword: password }));
    const timed = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      const answer = await run();
      return { answer, ms: performance.now() - started };
    };
    const free = [];
    const taken = [];
    for (let i = 0; i < 5; i++) {
      free.push(await timed(() => signUp(`fresh${i}`, 'mallory-password-1')));
      taken.push(await timed(() => signUp('dev1', 'mallory-password-1')));
    }
    expect(taken.map((t) => t.answer)).toEqual(Array(5).fill({ identifier: 'dev1@example.com' }));
    expect(free[0]!.answer).toEqual({ identifier: 'fresh0@example.com' });
    // Both paths hash the password; a taken name must not answer measurably faster.
    const median = (runs: { ms: number }[]) => runs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
    expect(median(taken)).toBeGreaterThan(median(free) * 0.5);
    // The existing account kept its password and name.
    expect((await verifyCredentials(database.db, 'dev1@example.com', 'mallory-password-1')).ok).toBe(false);
    const owner = await actorFor('dev1@example.com', 'dev-password-1');
    expect(owner.displayName).toBe('Dev');
  });

  it('rejects mismatched sign-up passwords on the confirm field', () => {
    const result = signUpSchema.safeParse({ username: 'dev3', displayName: 'D', email: '', password: 'dev-password-1', confirmPassword: 'dev-password-2' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['confirmPassword']);
  });
});
