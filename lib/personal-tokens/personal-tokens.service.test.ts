import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { personalAccessTokens, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { sha256Hex } from '../oauth/credentials';
import { insertTenant, insertUser } from '../test-support/oauth-fixtures';
import { createPersonalTokenSchema } from './personal-tokens.schema';
import {
  authenticatePersonalToken,
  createPersonalToken,
  deletePersonalToken,
  listPersonalTokens,
  PERSONAL_TOKEN_PREFIX,
  revokePersonalToken,
} from './personal-tokens.service';

let database: DatabaseHandle;
let publisher: Actor;
let developer: Actor;
let admin: Actor;
let foreignPublisher: Actor;

const make = (actor: Actor, fields: Record<string, unknown>, now?: Date) => createPersonalToken(actor, createPersonalTokenSchema.parse(fields), now);

beforeAll(async () => {
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'tokens.test');
  publisher = await insertUser(database.db, tenant, 'pub', ['publisher']);
  developer = await insertUser(database.db, tenant, 'dev', ['subscriber']);
  admin = await insertUser(database.db, tenant, 'boss', ['admin']);
  foreignPublisher = await insertUser(database.db, await insertTenant(database.db, 'elsewhere.test'), 'pub', ['publisher']);
});

afterAll(async () => {
  await database.close();
});

describe('personal access tokens', () => {
  it('shows the token once and stores only its hash', async () => {
    const { token, view } = await make(publisher, { name: 'ci', scopes: ['apis:read', 'apis:write'], expiresInDays: '30' });
    expect(token.startsWith(PERSONAL_TOKEN_PREFIX)).toBe(true);
    expect(token.length).toBeGreaterThan(40);
    expect(view).toMatchObject({ name: 'ci', scopes: ['apis:read', 'apis:write'], status: 'active', lastUsedAt: null, displayPrefix: token.slice(0, 12) });
    const [row] = await database.db.select().from(personalAccessTokens).where(eq(personalAccessTokens.id, view.id));
    expect(row!.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(await listPersonalTokens(publisher))).not.toContain(token.slice(12));
  });

  it('refuses scopes beyond the owner’s roles, on the scopes field', async () => {
    await expect(make(developer, { name: 'sneaky', scopes: ['applications:read', 'apis:write'] })).rejects.toMatchObject({
      kind: 'validation',
      fieldErrors: { scopes: [expect.stringContaining('do not allow apis:write')] },
    });
    await expect(make(publisher, { name: 'clusters', scopes: ['clusters:admin'] })).rejects.toMatchObject({ kind: 'validation' });
    // An admin may grant every scope: admins may do everything in their tenant.
    await expect(make(admin, { name: 'all', scopes: ['clusters:admin', 'apis:publish', 'applications:write'] })).resolves.toMatchObject({ view: { status: 'active' } });
  });

  it('refuses a token without expiry or past a year, and a name used twice', () => {
    expect(createPersonalTokenSchema.safeParse({ name: 'x', scopes: ['apis:read'], expiresInDays: '366' }).success).toBe(false);
    expect(createPersonalTokenSchema.safeParse({ name: 'x', scopes: [] }).success).toBe(false);
    return expect(make(publisher, { name: 'ci', scopes: ['apis:read'] })).rejects.toMatchObject({ kind: 'conflict', fieldErrors: { name: [expect.any(String)] } });
  });

  it('authenticates a token as its owner, narrowed to the roles its scopes need, and records the use', async () => {
    const { token, view } = await make(admin, { name: 'reader', scopes: ['apis:read'] });
    const now = new Date();
    const authenticated = await authenticatePersonalToken(token, { clientAddress: '192.0.2.7', now });
    expect(authenticated.actor).toMatchObject({ userId: admin.userId, tenantId: admin.tenantId, roles: ['publisher'], via: { tokenId: view.id, tokenName: 'reader' } });
    expect(authenticated.scopes).toEqual(['apis:read']);
    const listed = (await listPersonalTokens(admin)).find((t) => t.id === view.id)!;
    expect(listed.lastUsedAt?.getTime()).toBe(now.getTime());
    expect(listed.lastUsedFrom).toBe('192.0.2.7');
  });

  it('loses scopes when the owner loses the role', async () => {
    const { token } = await make(publisher, { name: 'shrinking', scopes: ['apis:read', 'apis:publish'] });
    await database.db.update(users).set({ roles: ['subscriber'] }).where(eq(users.id, publisher.userId));
    try {
      const authenticated = await authenticatePersonalToken(token);
      expect(authenticated.scopes).toEqual([]);
      expect(authenticated.actor.roles).toEqual([]);
    } finally {
      await database.db.update(users).set({ roles: ['publisher'] }).where(eq(users.id, publisher.userId));
    }
  });

  it('refuses expired, revoked, unknown and malformed tokens, and tokens of disabled accounts', async () => {
    const past = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    const expired = await make(publisher, { name: 'old', scopes: ['apis:read'], expiresInDays: '1' }, past);
    await expect(authenticatePersonalToken(expired.token)).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('expired') });
    expect((await listPersonalTokens(publisher)).find((t) => t.name === 'old')!.status).toBe('expired');

    const revoked = await make(publisher, { name: 'gone', scopes: ['apis:read'] });
    await authenticatePersonalToken(revoked.token);
    await revokePersonalToken(publisher, revoked.view.id);
    await expect(authenticatePersonalToken(revoked.token)).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('revoked') });

    await expect(authenticatePersonalToken(`${PERSONAL_TOKEN_PREFIX}${'A'.repeat(43)}`)).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('not known') });
    await expect(authenticatePersonalToken('eyJhbGciOi.not.ours')).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('start with') });

    const disabled = await make(developer, { name: 'dev-ci', scopes: ['applications:read'] });
    await database.db.update(users).set({ disabled: true }).where(eq(users.id, developer.userId));
    try {
      await expect(authenticatePersonalToken(disabled.token)).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('disabled') });
    } finally {
      await database.db.update(users).set({ disabled: false }).where(eq(users.id, developer.userId));
    }
  });

  it('lets only the owner list, revoke and delete, and never through a token', async () => {
    const { token, view } = await make(publisher, { name: 'mine', scopes: ['apis:read'] });
    await expect(revokePersonalToken(foreignPublisher, view.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(revokePersonalToken(developer, view.id)).rejects.toMatchObject({ kind: 'not_found' });
    expect((await listPersonalTokens(developer)).map((t) => t.name)).not.toContain('mine');
    const viaToken = (await authenticatePersonalToken(token)).actor;
    await expect(listPersonalTokens(viaToken)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(revokePersonalToken(viaToken, view.id)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(createPersonalToken(viaToken, createPersonalTokenSchema.parse({ name: 'child', scopes: ['apis:read'] }))).rejects.toMatchObject({ kind: 'forbidden' });

    await expect(deletePersonalToken(publisher, view.id)).rejects.toMatchObject({ kind: 'conflict' });
    await revokePersonalToken(publisher, view.id);
    await deletePersonalToken(publisher, view.id);
    expect((await listPersonalTokens(publisher)).map((t) => t.name)).not.toContain('mine');
  });
});
