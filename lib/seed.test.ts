import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCredentials } from './auth/credentials';
import type { DatabaseHandle } from './db/drizzle';
import { tenants, users } from './db/schema';
import { freshTestDatabase } from './test-support/test-database';
import { seedIfEmpty, writeCredentialsFile } from './seed';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await freshTestDatabase();
});
afterAll(() => database.close());

describe('first-start seed', () => {
  it('creates one user per role with generated passwords that work', async () => {
    const accounts = await seedIfEmpty(database.db, {});
    expect(accounts?.map((a) => [a.username, a.roles])).toEqual([
      ['admin', ['admin']],
      ['publisher', ['publisher']],
      ['developer', ['subscriber']],
    ]);
    const passwords = new Set(accounts!.map((a) => a.password));
    expect(passwords.size).toBe(3);
    for (const account of accounts!) {
      expect(account.password.length).toBeGreaterThanOrEqual(20);
      expect((await verifyCredentials(database.db, account.username, account.password)).ok).toBe(true);
    }
  });

  it('starts the super tenant with developer sign-up closed, unless the platform opens it', async () => {
    const [superTenant] = await database.db.select().from(tenants);
    expect(superTenant!.selfSignup).toBe(false);
    const other = await freshTestDatabase();
    try {
      await expect(seedIfEmpty(other.db, { PRIVATEJET_SELF_SIGNUP_DEFAULT: 'sometimes' })).rejects.toThrow(
        'PRIVATEJET_SELF_SIGNUP_DEFAULT must be "open" or "closed", not "sometimes"',
      );
      await seedIfEmpty(other.db, { PRIVATEJET_SELF_SIGNUP_DEFAULT: 'open' });
      expect((await other.db.select().from(tenants))[0]!.selfSignup).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('changes nothing on a second start', async () => {
    const before = await database.db.select().from(users);
    expect(await seedIfEmpty(database.db, {})).toBeNull();
    expect(await database.db.select().from(users)).toEqual(before);
  });

  it('writes the credentials file readable only by its owner', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'privatejet-seed-'));
    const file = writeCredentialsFile(dir, [{ username: 'admin', roles: ['admin'], password: 'generated-pw', generated: true }]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('generated-pw');
    fs.rmSync(dir, { recursive: true });
  });
});
