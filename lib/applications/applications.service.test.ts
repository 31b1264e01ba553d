import { decodeJwt } from 'jose';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { accessTokens, applicationKeys } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { introspect } from '../oauth/introspection.service';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from '../oauth/token.service';
import { applicationInputSchema, keySettingsSchema } from './applications.schema';
import {
  createApplication,
  deleteApplication,
  generateAccessTokenForApplication,
  generateApplicationKeys,
  getApplication,
  listApplications,
  regenerateConsumerSecret,
  revokeApplicationTokens,
  updateApplication,
  updateKeySettings,
} from './applications.service';

let database: DatabaseHandle;
let dana: Actor;
let omar: Actor;
let publisherOnly: Actor;
let foreignDeveloper: Actor;

async function errorKind(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.kind : String(error);
  }
}

const input = (name: string, tier: 'Unlimited' | 'Gold' | 'Silver' | 'Bronze' = 'Unlimited') => applicationInputSchema.parse({ name, tier });
const jwtSettings = { tokenValiditySeconds: 3600, tokenType: 'JWT' as const };

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'apps.test');
  dana = await insertUser(database.db, tenant, 'dana', ['subscriber']);
  omar = await insertUser(database.db, tenant, 'omar', ['subscriber']);
  publisherOnly = await insertUser(database.db, tenant, 'pia', ['publisher']);
  const otherTenant = await insertTenant(database.db, 'elsewhere.test');
  foreignDeveloper = await insertUser(database.db, otherTenant, 'dana', ['subscriber']);
});

afterAll(async () => {
  await database.close();
});

describe('applications', () => {
  it('creates, lists, edits and deletes a developer’s own applications', async () => {
    const created = await createApplication(dana, applicationInputSchema.parse({ name: '  Shop  ', description: 'Web shop', tier: 'Gold' }));
    expect(created).toMatchObject({ name: 'Shop', description: 'Web shop', tier: 'Gold', hasProductionKeys: false });
    await createApplication(dana, input('Analytics'));
    expect((await listApplications(dana)).map((a) => a.name)).toEqual(['Analytics', 'Shop']);

    const updated = await updateApplication(dana, created.id, input('Shop v2', 'Bronze'));
    expect(updated).toMatchObject({ name: 'Shop v2', tier: 'Bronze', productionKey: null });

    await deleteApplication(dana, updated.id);
    expect((await listApplications(dana)).map((a) => a.name)).toEqual(['Analytics']);
    expect(await errorKind(getApplication(dana, updated.id))).toBe('not_found');
  });

  it('keeps names unique per owner, with a field error', async () => {
    await createApplication(dana, input('Mobile'));
    await expect(createApplication(dana, input('Mobile'))).rejects.toMatchObject({ kind: 'conflict', fieldErrors: { name: [expect.any(String)] } });
    // Another developer may use the same name.
    await expect(createApplication(omar, input('Mobile'))).resolves.toMatchObject({ name: 'Mobile' });
  });

  it('treats another developer’s application, and a bad id, as not found', async () => {
    const [omarsApp] = await listApplications(omar);
    const attempts = [
      () => getApplication(dana, omarsApp!.id),
      () => updateApplication(dana, omarsApp!.id, input('Taken over')),
      () => deleteApplication(dana, omarsApp!.id),
      () => generateApplicationKeys(dana, omarsApp!.id, jwtSettings),
      () => generateAccessTokenForApplication(dana, omarsApp!.id),
      () => revokeApplicationTokens(dana, omarsApp!.id),
      () => getApplication(foreignDeveloper, omarsApp!.id),
      () => getApplication(dana, 'not-a-uuid'),
    ];
    for (const attempt of attempts) {
      expect(await errorKind(attempt())).toBe('not_found');
    }
    expect(await listApplications(foreignDeveloper)).toEqual([]);
    expect((await getApplication(omar, omarsApp!.id)).name).toBe('Mobile');
  });

  it('is for developers and admins, not for publishers alone', async () => {
    expect(await errorKind(listApplications(publisherOnly))).toBe('forbidden');
    expect(await errorKind(createApplication(publisherOnly, input('Nope')))).toBe('forbidden');
  });

  it('validates application and key settings input', () => {
    expect(applicationInputSchema.safeParse({ name: '', tier: 'Gold' }).error?.issues[0]?.path).toEqual(['name']);
    expect(applicationInputSchema.safeParse({ name: 'X', tier: 'Platinum' }).error?.issues[0]?.path).toEqual(['tier']);
    expect(keySettingsSchema.parse({ tokenValiditySeconds: '900', tokenType: 'OPAQUE' })).toEqual({ tokenValiditySeconds: 900, tokenType: 'OPAQUE' });
    expect(keySettingsSchema.safeParse({ tokenValiditySeconds: 59 }).success).toBe(false);
    expect(keySettingsSchema.safeParse({ tokenValiditySeconds: 365 * 86400 + 1 }).success).toBe(false);
    expect(keySettingsSchema.safeParse({ tokenValiditySeconds: 365 * 86400 }).success).toBe(true);
  });
});

describe('production keys', () => {
  let appId: string;

  beforeAll(async () => {
    appId = (await createApplication(dana, input('Keys app'))).id;
  });

  it('shows the consumer secret once and never again', async () => {
    const generated = await generateApplicationKeys(dana, appId, { tokenValiditySeconds: 900, tokenType: 'JWT' });
    expect(generated.consumerSecret).toMatch(/^[\w-]{43}$/);
    expect(generated.key).toMatchObject({ keyType: 'PRODUCTION', tokenValiditySeconds: 900, tokenType: 'JWT' });
    expect(generated.key.consumerKey).toMatch(/^[\w-]{24}$/);

    const [stored] = await database.db.select().from(applicationKeys).where(eq(applicationKeys.applicationId, appId));
    expect(stored!.consumerSecretHash).not.toContain(generated.consumerSecret);
    const dtos = JSON.stringify([generated.key, await getApplication(dana, appId), await listApplications(dana)]);
    expect(dtos).not.toContain(generated.consumerSecret);
    expect(dtos).not.toContain(stored!.consumerSecretHash);
    expect(dtos).not.toMatch(/secret|hash/i);

    // The secret works at the token endpoint.
    await expect(issueClientCredentialsToken({ clientId: generated.key.consumerKey, clientSecret: generated.consumerSecret })).resolves.toMatchObject({
      expires_in: 900,
    });
    expect(await errorKind(generateApplicationKeys(dana, appId, jwtSettings))).toBe('conflict');
  });

  it('regenerates the secret: the old one stops working, the consumer key stays', async () => {
    const before = (await getApplication(dana, appId)).productionKey!;
    const firstSecret = (await regenerateConsumerSecret(dana, appId)).consumerSecret;
    const second = await regenerateConsumerSecret(dana, appId);
    expect(second.key.consumerKey).toBe(before.consumerKey);
    expect(second.consumerSecret).not.toBe(firstSecret);
    await expect(issueClientCredentialsToken({ clientId: before.consumerKey, clientSecret: firstSecret })).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(issueClientCredentialsToken({ clientId: before.consumerKey, clientSecret: second.consumerSecret })).resolves.toBeDefined();
  });

  it('refuses a token validity beyond the platform maximum, on the field, and states the maximum', async () => {
    const message = 'Use at most 3600 seconds (1 hour): the longest token lifetime this platform allows.';
    await expect(updateKeySettings(dana, appId, { tokenValiditySeconds: 3601, tokenType: 'JWT' })).rejects.toMatchObject({
      kind: 'validation',
      fieldErrors: { tokenValiditySeconds: [message] },
    });
    const other = (await createApplication(dana, input('Long-lived'))).id;
    await expect(generateApplicationKeys(dana, other, { tokenValiditySeconds: 365 * 86400, tokenType: 'JWT' })).rejects.toMatchObject({ kind: 'validation' });
    expect((await getApplication(dana, other)).productionKey).toBeNull();

    vi.stubEnv('PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS', '600');
    try {
      await expect(updateKeySettings(dana, appId, { tokenValiditySeconds: 900, tokenType: 'JWT' })).rejects.toMatchObject({
        fieldErrors: { tokenValiditySeconds: ['Use at most 600 seconds (10 minutes): the longest token lifetime this platform allows.'] },
      });
      // A key saved with more than today's maximum is shown, and issued, at the maximum.
      expect((await getApplication(dana, appId)).productionKey?.tokenValiditySeconds).toBe(600);
      expect((await generateAccessTokenForApplication(dana, appId)).expires_in).toBe(600);
    } finally {
      vi.unstubAllEnvs();
      useThrowawaySecretKey();
    }
    expect(await updateKeySettings(dana, appId, { tokenValiditySeconds: 3600, tokenType: 'JWT' })).toMatchObject({ tokenValiditySeconds: 3600 });
  });

  it('applies new key settings to the next token', async () => {
    const key = await updateKeySettings(dana, appId, { tokenValiditySeconds: 120, tokenType: 'OPAQUE' });
    expect(key).toMatchObject({ tokenValiditySeconds: 120, tokenType: 'OPAQUE' });
    const token = await generateAccessTokenForApplication(dana, appId);
    expect(token.expires_in).toBe(120);
    expect(token.access_token).not.toContain('.');
    await updateKeySettings(dana, appId, jwtSettings);
  });

  it('issues a token from the portal session, with the same claims as the token endpoint', async () => {
    const token = await generateAccessTokenForApplication(dana, appId);
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(decodeJwt(token.access_token)).toMatchObject({
      tenant: 'apps.test',
      application: { id: appId, name: 'Keys app', owner: 'dana' },
      subscriptions: {},
    });
    const withoutKeys = await createApplication(dana, input('No keys yet'));
    expect(await errorKind(generateAccessTokenForApplication(dana, withoutKeys.id))).toBe('not_found');
    expect(await errorKind(regenerateConsumerSecret(dana, withoutKeys.id))).toBe('not_found');
  });

  it('revokes every live token of the application', async () => {
    const { consumerKey } = (await getApplication(dana, appId)).productionKey!;
    const secret = (await regenerateConsumerSecret(dana, appId)).consumerSecret;
    const tokens = await Promise.all([1, 2].map(() => issueClientCredentialsToken({ clientId: consumerKey, clientSecret: secret })));
    const { revokedCount } = await revokeApplicationTokens(dana, appId);
    expect(revokedCount).toBeGreaterThanOrEqual(2);
    for (const { access_token } of tokens) {
      expect(await introspect(access_token, { clientId: consumerKey, clientSecret: secret })).toEqual({ active: false });
    }
    expect(await revokeApplicationTokens(dana, appId)).toEqual({ revokedCount: 0 });
  });

  it('deleting an application removes its keys and token records', async () => {
    await deleteApplication(dana, appId);
    expect(await database.db.select().from(applicationKeys).where(eq(applicationKeys.applicationId, appId))).toEqual([]);
    expect(await database.db.select().from(accessTokens).where(eq(accessTokens.applicationId, appId))).toEqual([]);
  });
});

describe('sandbox keys beside production keys', () => {
  let appId: string;

  beforeAll(async () => {
    appId = (await createApplication(dana, input('Two pairs'))).id;
  });

  it('generates a separate consumer key and secret per key type, each once', async () => {
    const production = await generateApplicationKeys(dana, appId, { tokenValiditySeconds: 900, tokenType: 'JWT' });
    expect((await getApplication(dana, appId)).sandboxKey).toBeNull();
    const sandbox = await generateApplicationKeys(dana, appId, { tokenValiditySeconds: 300, tokenType: 'OPAQUE' }, 'SANDBOX');
    expect(sandbox.key).toMatchObject({ keyType: 'SANDBOX', tokenValiditySeconds: 300, tokenType: 'OPAQUE' });
    expect(sandbox.key.consumerKey).not.toBe(production.key.consumerKey);
    expect(sandbox.consumerSecret).not.toBe(production.consumerSecret);
    await expect(generateApplicationKeys(dana, appId, jwtSettings, 'SANDBOX')).rejects.toMatchObject({
      kind: 'conflict',
      message: 'This application already has sandbox keys; regenerate the consumer secret to get a new secret.',
    });

    const shown = await getApplication(dana, appId);
    expect(shown).toMatchObject({ hasProductionKeys: true, hasSandboxKeys: true });
    expect(shown.productionKey).toMatchObject({ keyType: 'PRODUCTION', consumerKey: production.key.consumerKey });
    expect(shown.sandboxKey).toMatchObject({ keyType: 'SANDBOX', consumerKey: sandbox.key.consumerKey, tokenType: 'OPAQUE' });
    expect((await listApplications(dana)).find((a) => a.id === appId)).toMatchObject({ hasProductionKeys: true, hasSandboxKeys: true });
    expect(JSON.stringify(shown)).not.toContain(sandbox.consumerSecret);
  });

  it('issues tokens that carry their key type, from the token endpoint and from the portal', async () => {
    const { consumerKey } = (await getApplication(dana, appId)).sandboxKey!;
    const secret = (await regenerateConsumerSecret(dana, appId, 'SANDBOX')).consumerSecret;
    await updateKeySettings(dana, appId, jwtSettings, 'SANDBOX');
    const fromEndpoint = await issueClientCredentialsToken({ clientId: consumerKey, clientSecret: secret });
    expect(decodeJwt(fromEndpoint.access_token)).toMatchObject({ client_id: consumerKey, keytype: 'SANDBOX' });
    expect(decodeJwt((await generateAccessTokenForApplication(dana, appId, 'SANDBOX')).access_token)).toMatchObject({ client_id: consumerKey, keytype: 'SANDBOX' });
    expect(decodeJwt((await generateAccessTokenForApplication(dana, appId)).access_token)).toMatchObject({ keytype: 'PRODUCTION' });

    // An opaque sandbox token says so at introspection, as gateways read it.
    await updateKeySettings(dana, appId, { tokenValiditySeconds: 300, tokenType: 'OPAQUE' }, 'SANDBOX');
    const opaque = await generateAccessTokenForApplication(dana, appId, 'SANDBOX');
    expect(await introspect(opaque.access_token, { clientId: consumerKey, clientSecret: secret })).toMatchObject({ active: true, keytype: 'SANDBOX' });
  });

  it('regenerates and edits one key type without touching the other', async () => {
    const before = await getApplication(dana, appId);
    const productionSecret = (await regenerateConsumerSecret(dana, appId)).consumerSecret;
    const sandboxSecret = (await regenerateConsumerSecret(dana, appId, 'SANDBOX')).consumerSecret;
    await expect(issueClientCredentialsToken({ clientId: before.productionKey!.consumerKey, clientSecret: productionSecret })).resolves.toBeDefined();
    // Each secret belongs to its own consumer key only.
    await expect(issueClientCredentialsToken({ clientId: before.sandboxKey!.consumerKey, clientSecret: productionSecret })).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(issueClientCredentialsToken({ clientId: before.sandboxKey!.consumerKey, clientSecret: sandboxSecret })).resolves.toBeDefined();

    await updateKeySettings(dana, appId, { tokenValiditySeconds: 600, tokenType: 'JWT' }, 'SANDBOX');
    const after = await getApplication(dana, appId);
    expect(after.sandboxKey).toMatchObject({ tokenValiditySeconds: 600, tokenType: 'JWT' });
    expect(after.productionKey).toMatchObject({ tokenValiditySeconds: before.productionKey!.tokenValiditySeconds, tokenType: before.productionKey!.tokenType });
  });

  it("says which key type is missing, and keeps another developer, another tenant and publishers out", async () => {
    const productionOnly = (await createApplication(dana, input('Production only'))).id;
    await generateApplicationKeys(dana, productionOnly, jwtSettings);
    await expect(generateAccessTokenForApplication(dana, productionOnly, 'SANDBOX')).rejects.toMatchObject({
      kind: 'not_found',
      message: 'This application has no sandbox keys yet; generate them first.',
    });
    expect(await errorKind(regenerateConsumerSecret(dana, productionOnly, 'SANDBOX'))).toBe('not_found');
    expect(await errorKind(updateKeySettings(dana, productionOnly, jwtSettings, 'SANDBOX'))).toBe('not_found');

    for (const stranger of [omar, foreignDeveloper]) {
      expect(await errorKind(generateApplicationKeys(stranger, productionOnly, jwtSettings, 'SANDBOX'))).toBe('not_found');
      expect(await errorKind(regenerateConsumerSecret(stranger, appId, 'SANDBOX'))).toBe('not_found');
      expect(await errorKind(generateAccessTokenForApplication(stranger, appId, 'SANDBOX'))).toBe('not_found');
      expect(await errorKind(updateKeySettings(stranger, appId, jwtSettings, 'SANDBOX'))).toBe('not_found');
    }
    expect(await errorKind(generateApplicationKeys(publisherOnly, productionOnly, jwtSettings, 'SANDBOX'))).toBe('forbidden');
    expect(await errorKind(generateAccessTokenForApplication(publisherOnly, appId, 'SANDBOX'))).toBe('forbidden');
    expect((await getApplication(dana, productionOnly)).sandboxKey).toBeNull();
  });

  it('revokes the tokens of both key types', async () => {
    const sandboxToken = await generateAccessTokenForApplication(dana, appId, 'SANDBOX');
    const productionToken = await generateAccessTokenForApplication(dana, appId);
    expect((await revokeApplicationTokens(dana, appId)).revokedCount).toBeGreaterThanOrEqual(2);
    const revoked = await database.db.select({ jti: accessTokens.jti, keyType: accessTokens.keyType, revokedAt: accessTokens.revokedAt }).from(accessTokens).where(eq(accessTokens.applicationId, appId));
    expect(new Set(revoked.map((row) => row.keyType))).toEqual(new Set(['PRODUCTION', 'SANDBOX']));
    expect(revoked.every((row) => row.revokedAt !== null)).toBe(true);
    expect(decodeJwt(productionToken.access_token).keytype).toBe('PRODUCTION');
    expect(sandboxToken.access_token).toBeTruthy();
  });
});
