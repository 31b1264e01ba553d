import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../db/test-database';
import { seedIfEmpty } from '../seed';
import { verifyCredentials } from './credentials';
import { FREE_FAILURES } from './sign-in-throttle';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await freshTestDatabase();
  await seedIfEmpty(database.db, { PRIVATEJET_PUBLISHER_PASSWORD: 'publisher-pass-1' });
});
afterAll(() => database.close());

describe('verifyCredentials', () => {
  it('signs in with the right password, in any letter case of the name', async () => {
    expect(await verifyCredentials(database.db, 'Publisher', 'publisher-pass-1')).toMatchObject({ ok: true });
  });

  it('answers the same for a wrong password and an unknown user', async () => {
    expect(await verifyCredentials(database.db, 'developer', 'wrong')).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyCredentials(database.db, 'nobody', 'wrong')).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyCredentials(database.db, 'publisher@no.such.tenant', 'publisher-pass-1')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('slows repeated failures down, even with the right password, then recovers', async () => {
    const now = new Date();
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect(await verifyCredentials(database.db, 'publisher', 'wrong', now)).toEqual({ ok: false, reason: 'invalid' });
    }
    const throttled = await verifyCredentials(database.db, 'publisher', 'publisher-pass-1', now);
    expect(throttled).toMatchObject({ ok: false, reason: 'throttled' });
    const later = new Date(now.getTime() + 60_000);
    expect(await verifyCredentials(database.db, 'publisher', 'publisher-pass-1', later)).toMatchObject({ ok: true });
    // success clears the count
    expect(await verifyCredentials(database.db, 'publisher', 'publisher-pass-1', later)).toMatchObject({ ok: true });
  });
});
