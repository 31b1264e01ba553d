import { decodeJwt } from 'jose';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../auth/actor';
import type { DatabaseHandle } from '../db/drizzle';
import { accessTokens, applicationKeys } from '../db/schema';
import { freshTestDatabase } from '../db/test-database';
import { AppError } from '../errors';
import { introspect } from '../oauth/introspection.service';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../oauth/test-fixtures';
import { issueClientCredentialsToken } from '../oauth/token.service';
import { applicationInputSchema, keySettingsSchema } from './applications.schema';
import {
  createApplication,
  deleteApplication,
  generateAccessTokenForApplication,
  generateProductionKeys,
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
      () => generateProductionKeys(dana, omarsApp!.id, jwtSettings),
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
    const generated = await generateProductionKeys(dana, appId, { tokenValiditySeconds: 900, tokenType: 'JWT' });
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
    expect(await errorKind(generateProductionKeys(dana, appId, jwtSettings))).toBe('conflict');
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
    await expect(generateProductionKeys(dana, other, { tokenValiditySeconds: 365 * 86400, tokenType: 'JWT' })).rejects.toMatchObject({ kind: 'validation' });
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
