import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../db/drizzle';
import { signInThrottle, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { seedIfEmpty } from '../seed';
import { verifyCredentials, type CredentialsResult } from './credentials';
import { hashPassword } from './password';
import { SIGN_IN_RULES } from './sign-in-throttle';

let database: DatabaseHandle;
const start = new Date('2026-03-01T09:00:00Z');
const after = (seconds: number) => new Date(start.getTime() + seconds * 1000);

/** Signs in `identifier` at a given address and time. */
const attempt = (identifier: string, password: string, clientAddress: string, now = start) =>
  verifyCredentials(database.db, identifier, password, { clientAddress, now });

function tally(results: CredentialsResult[]): { ok: number; invalid: number; throttled: number } {
  return {
    ok: results.filter((r) => r.ok).length,
    invalid: results.filter((r) => !r.ok && r.reason === 'invalid').length,
    throttled: results.filter((r) => !r.ok && r.reason === 'throttled').length,
  };
}

/** A user of the super tenant whose password is `<name>-password`. */
async function superTenantUser(name: string): Promise<void> {
  const [tenant] = await database.db.query.tenants.findMany({ where: (t, { eq }) => eq(t.domain, 'carbon.super') });
  await database.db.insert(users).values({ tenantId: tenant!.id, username: name, displayName: name, passwordHash: await hashPassword(`${name}-password`), roles: ['subscriber'] });
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  await seedIfEmpty(database.db, { PRIVATEJET_PUBLISHER_PASSWORD: 'publisher-pass-1' });
  for (const name of ['dev2', 'victim', 'owner', 'ceiling', 'typo']) await superTenantUser(name);
});
afterAll(() => database.close());

describe('verifyCredentials', () => {
  it('signs in with the right password, in any letter case of the name', async () => {
    expect(await attempt('Publisher', 'publisher-pass-1', '192.0.2.1')).toMatchObject({ ok: true });
  });

  it('answers the same for a wrong password, an unknown user and an unknown tenant', async () => {
    expect(await attempt('developer', 'wrong', '192.0.2.2')).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt('nobody', 'wrong', '192.0.2.2')).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt('publisher@no.such.tenant', 'publisher-pass-1', '192.0.2.2')).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('sign-in throttle under attack', () => {
  it('gives 40 parallel guesses exactly the free password checks, for existing and unknown accounts alike', async () => {
    const free = SIGN_IN_RULES.accountFromAddress.free;
    for (const target of ['victim', 'no-such-account']) {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(target, `guess-${i}`, '198.51.100.7')));
      expect(tally(results)).toEqual({ ok: 0, invalid: free, throttled: 40 - free });
    }
    // The right password from the guessing address now waits as well.
    expect(await attempt('victim', 'victim-password', '198.51.100.7')).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('holds guesses spread over 60 addresses to the account-wide ceiling, atomically', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('ceiling', `guess-${i}`, `203.0.113.${i + 1}`)));
    expect(tally(results)).toEqual({ ok: 0, invalid: SIGN_IN_RULES.account.free, throttled: 60 - SIGN_IN_RULES.account.free });
  });

  it('shares one budget between every spelling of an account, and of an unknown one', async () => {
    const spellings = ['dev2', 'DEV2', ' dev2@carbon.super', 'Dev2@Carbon.Super', 'dev2 '];
    const results = [];
    for (const spelling of spellings) results.push(await attempt(spelling, 'wrong', '198.51.100.20'));
    expect(tally(results).invalid).toBe(5);
    expect(await attempt('dev2@carbon.super', 'wrong', '198.51.100.20')).toMatchObject({ reason: 'throttled' });
    expect(await attempt('dev2', 'dev2-password', '198.51.100.20')).toMatchObject({ reason: 'throttled' });

    for (const spelling of ['ghost', 'GHOST@carbon.super', 'ghost', 'Ghost', 'ghost@CARBON.SUPER']) await attempt(spelling, 'wrong', '198.51.100.21');
    expect(await attempt('ghost', 'wrong', '198.51.100.21')).toMatchObject({ reason: 'throttled' });
  });

  it('slows the guessing address without stopping the owner at another address, even once the account-wide ceiling is reached', async () => {
    // The owner has signed in from home before.
    expect(await attempt('owner', 'owner-password', '192.0.2.50')).toMatchObject({ ok: true });
    // A stranger guesses from one address until throttled there…
    for (let i = 0; i < 8; i++) await attempt('owner', `guess-${i}`, '198.51.100.66', after(60));
    expect(await attempt('owner', 'guess', '198.51.100.66', after(60))).toMatchObject({ ok: false, reason: 'throttled' });
    // …while the owner signs in from another address, home or not.
    expect(await attempt('owner', 'owner-password', '192.0.2.50', after(60))).toMatchObject({ ok: true });
    expect(await attempt('owner', 'owner-password', '192.0.2.51', after(60))).toMatchObject({ ok: true });

    // Guesses from 60 addresses fill the account-wide ceiling.
    await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('owner', `spread-${i}`, `100.64.0.${i + 1}`, after(600))));
    const fromNewPlace = await attempt('owner', 'owner-password', '192.0.2.99', after(600));
    expect(fromNewPlace).toMatchObject({ ok: false, reason: 'throttled' });
    // From an address where the owner signed in before, the ceiling does not apply.
    expect(await attempt('owner', 'owner-password', '192.0.2.50', after(600))).toMatchObject({ ok: true });
    // Elsewhere the owner waits the stated time, not forever.
    const wait = (fromNewPlace as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeLessThanOrEqual(SIGN_IN_RULES.account.maxWaitSeconds);
    expect(await attempt('owner', 'owner-password', '192.0.2.99', after(600 + wait))).toMatchObject({ ok: true });
  });

  it('stops one address from spreading guesses over many accounts, without touching other addresses', async () => {
    const free = SIGN_IN_RULES.address.free;
    for (let i = 0; i < free; i++) expect(await attempt(`sprayed-${i}`, 'Winter2026!', '198.51.100.99')).toMatchObject({ reason: 'invalid' });
    expect(await attempt('sprayed-new', 'Winter2026!', '198.51.100.99')).toMatchObject({ reason: 'throttled' });
    expect(await attempt('publisher', 'publisher-pass-1', '198.51.100.99')).toMatchObject({ reason: 'throttled' });
    expect(await attempt('publisher', 'publisher-pass-1', '198.51.100.98')).toMatchObject({ ok: true });
  });

  it('recovers as failures fade, and a successful sign-in clears the owner’s own typos', async () => {
    const address = '198.51.100.120';
    for (let i = 0; i < 12; i++) await attempt('typo', 'wrong', address, after(i * 3600));
    // Hours apart, the failures faded between attempts: never throttled.
    expect(await attempt('typo', 'wrong', address, after(12 * 3600))).toMatchObject({ reason: 'invalid' });

    // A burst gets throttled; the wait is stated and passes.
    const burst = after(20 * 3600);
    for (let i = 0; i < 10; i++) await attempt('typo', 'wrong', address, burst);
    const throttled = await attempt('typo', 'typo-password', address, burst);
    expect(throttled).toMatchObject({ reason: 'throttled' });
    const wait = (throttled as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(await attempt('typo', 'typo-password', address, new Date(burst.getTime() + wait * 1000))).toMatchObject({ ok: true });
    // After the success the owner's own failures there are forgotten: the next typos are free again.
    const next = new Date(burst.getTime() + wait * 1000 + 1000);
    for (let i = 0; i < SIGN_IN_RULES.accountFromAddress.free - 1; i++) expect(await attempt('typo', 'wrong', address, next)).toMatchObject({ reason: 'invalid' });
    expect(await attempt('typo', 'typo-password', address, next)).toMatchObject({ ok: true });
  });

  it('logs a refusal as one line, and never stores or logs what was typed for an unknown account', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await attempt('correct-horse-battery', 'x', '192.0.2.200');
      await attempt('developer', 'x', '192.0.2.200');
      expect(warn.mock.calls.map((call) => call.join(' '))).toEqual([
        'PrivateJet sign-in refused for an unknown account from 192.0.2.200: wrong username or password',
        'PrivateJet sign-in refused for developer from 192.0.2.200: wrong username or password',
      ]);
    } finally {
      warn.mockRestore();
    }
    expect(await database.db.select().from(signInThrottle).where(like(signInThrottle.key, '%horse%'))).toEqual([]);
    const [developer] = await database.db.select({ id: users.id }).from(users).where(eq(users.username, 'developer'));
    expect((await database.db.select().from(signInThrottle).where(like(signInThrottle.key, `account:${developer!.id}%`))).length).toBeGreaterThan(0);
  });
});
