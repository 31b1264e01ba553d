import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApplication, generateApplicationKeys, updateKeySettings } from '../applications/applications.service';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { apis, deployments, signingKeys } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { ACCESS_TOKEN_AUDIENCE, issuerUrl } from './issuer';
import { publicJwks } from './jwks';
import { activeSigningKey, gatewaysMissingKey, onNextSigningKeyPublished, rotateSigningKey, signingKeyMaxAgeMs } from './signing-keys';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

let database: DatabaseHandle;
let developer: Actor;
let applicationId: string;
let credentials: { clientId: string; clientSecret: string };

const HOUR_MS = 3_600_000;
const at = (base: Date, plusMs: number) => new Date(base.getTime() + plusMs);
const kidsOf = async (now: Date) => (await publicJwks(now)).keys.map((key) => key.kid).sort();
const sorted = (...kids: Array<string | undefined>) => kids.map(String).sort();
const nextKid = async () => (await database.db.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.activatedAt)))[0]?.kid;

async function verifiesAt(token: string, now: Date): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(await publicJwks(now)), {
      issuer: issuerUrl(),
      audience: ACCESS_TOKEN_AUDIENCE,
      currentDate: now,
    });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'keys.test');
  developer = await insertUser(database.db, tenant, 'kim', ['subscriber']);
  const application = await createApplication(developer, { name: 'Rotation app', description: '', tier: 'Unlimited' });
  applicationId = application.id;
  const { key, consumerSecret } = await generateApplicationKeys(developer, applicationId, { tokenValiditySeconds: 3600, tokenType: 'JWT' });
  credentials = { clientId: key.consumerKey, clientSecret: consumerSecret };
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await database.close();
});

describe('signing keys', () => {
  it('creates the first key on first use, named by its JWK thumbprint, with the private half encrypted', async () => {
    const key = await activeSigningKey();
    const [row] = await database.db.select().from(signingKeys).where(eq(signingKeys.kid, key.kid));
    expect(row!.algorithm).toBe('RS256');
    expect(await calculateJwkThumbprint(row!.publicJwk as never, 'sha256')).toBe(key.kid);
    expect(row!.publicJwk).not.toHaveProperty('d');
    expect(row!.privateKeyEncrypted).toMatch(/^v1:/);
    expect(row!.privateKeyEncrypted).not.toContain('"d"');
    // Published with it from the start: the next key, which signs nothing until every gateway has it.
    const next = await nextKid();
    expect(next).toBeDefined();
    expect(next).not.toBe(key.kid);
    expect(await kidsOf(new Date())).toEqual(sorted(key.kid, next));
    // The private half never reaches the JWKS.
    expect(JSON.stringify(await publicJwks())).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
  });

  it('keeps verifying tokens of the previous key until they expire, then drops that key', async () => {
    const t0 = new Date();
    const oldToken = (await issueClientCredentialsToken(credentials, t0)).access_token;
    const oldKid = decodeProtectedHeader(oldToken).kid!;

    const rotatedAt = at(t0, 60_000);
    const publishedNext = await nextKid();
    const newKey = await rotateSigningKey(rotatedAt);
    expect(newKey.kid).not.toBe(oldKid);
    // The key that signs now is the one published as next before: gateways already had it.
    expect(newKey.kid).toBe(publishedNext);
    const [oldRow] = await database.db.select().from(signingKeys).where(eq(signingKeys.kid, oldKid));
    expect(oldRow!.rotatedAt).toEqual(rotatedAt);
    // The longest validity of any application key is 3600 s.
    expect(oldRow!.retireAfter).toEqual(at(rotatedAt, HOUR_MS));

    const newToken = (await issueClientCredentialsToken(credentials, at(rotatedAt, 1000))).access_token;
    expect(decodeProtectedHeader(newToken).kid).toBe(newKey.kid);
    const nextAfter = await nextKid();
    expect(await kidsOf(at(rotatedAt, 1000))).toEqual(sorted(newKey.kid, oldKid, nextAfter));

    // Just before the old token's expiry it still verifies against the published JWKS ...
    expect(await verifiesAt(oldToken, at(t0, HOUR_MS - 1000))).toBe(true);
    // ... and once the old key's retirement time has passed, the key is gone from the JWKS.
    const afterRetirement = at(oldRow!.retireAfter!, 1000);
    expect(await kidsOf(afterRetirement)).toEqual(sorted(newKey.kid, nextAfter));
    expect(await verifiesAt(newToken, at(rotatedAt, 2000))).toBe(true);
  });

  it('keeps a key published as long as a token it signed lives, even after the validity was lowered', async () => {
    const t0 = at(new Date(), 5 * HOUR_MS);
    vi.stubEnv('PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS', '7200'); // above the default maximum of an hour
    await updateKeySettings(developer, applicationId, { tokenValiditySeconds: 7200, tokenType: 'JWT' });
    const longToken = (await issueClientCredentialsToken(credentials, t0)).access_token;
    await updateKeySettings(developer, applicationId, { tokenValiditySeconds: 60, tokenType: 'JWT' });
    await rotateSigningKey(at(t0, 1000));
    expect(await verifiesAt(longToken, at(t0, 2 * HOUR_MS - 1000))).toBe(true);
    await updateKeySettings(developer, applicationId, { tokenValiditySeconds: 3600, tokenType: 'JWT' });
    vi.stubEnv('PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS', '');
  });

  it('rotates by itself when the active key is older than PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS, once for concurrent issuers', async () => {
    vi.stubEnv('PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS', '2');
    const before = await activeSigningKey();
    const threeDaysLater = at(new Date(), 3 * 24 * HOUR_MS);
    const concurrent = await Promise.all([1, 2, 3].map(() => activeSigningKey(threeDaysLater)));
    const newKids = new Set(concurrent.map((key) => key.kid));
    expect(newKids.size).toBe(1);
    expect(newKids.has(before.kid)).toBe(false);
    const active = await database.db.select({ kid: signingKeys.kid }).from(signingKeys).where(and(isNull(signingKeys.rotatedAt), isNotNull(signingKeys.activatedAt)));
    expect(active.map((row) => row.kid)).toEqual([...newKids]);
    // A day later the key is still young enough.
    expect((await activeSigningKey(at(threeDaysLater, 24 * HOUR_MS))).kid).toBe(concurrent[0]!.kid);
  });

  it('lets a next key sign only once every applied gateway holds it, and not forever later', async () => {
    vi.stubEnv('PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS', '2');
    const t0 = at(new Date(), 30 * 24 * HOUR_MS);
    const current = await rotateSigningKey(t0);
    const next = (await nextKid())!;
    const published: string[] = [];
    const stop = onNextSigningKeyPublished(() => published.push('next'));
    // A gateway applied before the next key existed: it holds only the current key.
    const tenant = await insertTenant(database.db, 'gateways.test');
    const [api] = await database.db
      .insert(apis)
      .values({ tenantId: tenant.id, name: 'Held', version: '1', context: '/held', productionEndpoints: ['http://127.0.0.1:9'], openapi: {}, security: { oauth2: true, basic: false }, tiers: ['Gold'], cors: { enabled: false, allowedOrigins: [] } })
      .returning();
    const [deployment] = await database.db
      .insert(deployments)
      .values({ tenantId: tenant.id, apiId: api!.id, clusterName: 'east', status: 'ready', configHash: 'abc', signingKeyIds: [current.kid] })
      .returning();
    try {
      expect(await gatewaysMissingKey(database.db, next)).toBe(1);
      // Three days on, the current key is past its age, but one gateway could not check tokens of the next one.
      expect((await activeSigningKey(at(t0, 3 * 24 * HOUR_MS))).kid).toBe(current.kid);
      // Once that gateway was applied with the next key, the next issue promotes it and publishes a new next key.
      await database.db.update(deployments).set({ signingKeyIds: [current.kid, next] }).where(eq(deployments.id, deployment!.id));
      expect((await activeSigningKey(at(t0, 3 * 24 * HOUR_MS + 1000))).kid).toBe(next);
      expect(published).toEqual(['next']);
      // A gateway that never gets updated does not keep a key in service past twice its age.
      const stuck = (await nextKid())!;
      expect((await activeSigningKey(at(t0, 6 * 24 * HOUR_MS))).kid).toBe(next);
      expect((await activeSigningKey(at(t0, 7 * 24 * HOUR_MS + 2000))).kid).toBe(stuck);
    } finally {
      stop();
      await database.db.delete(deployments).where(eq(deployments.id, deployment!.id));
      vi.stubEnv('PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS', '');
    }
  });

  it('reads the maximum age from the environment and rejects nonsense', () => {
    expect(signingKeyMaxAgeMs({})).toBe(30 * 24 * HOUR_MS);
    expect(signingKeyMaxAgeMs({ PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS: '0.5' })).toBe(12 * HOUR_MS);
    expect(() => signingKeyMaxAgeMs({ PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS: 'monthly' })).toThrow(/positive number of days/);
  });
});
