import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessTokenClaimsSchema } from './access-token-claims';
import { createApplication, generateApplicationKeys } from '../applications/applications.service';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { accessTokens, apis, applicationKeys } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { setSubscriptionBlocked, subscribe } from '../subscriptions/subscriptions.service';
import { sha256Hex } from './credentials';
import { ACCESS_TOKEN_AUDIENCE, issuerUrl } from './issuer';
import { publicJwks } from './jwks';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestApi } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

let database: DatabaseHandle;
let developer: Actor;
let publisher: Actor;
let credentials: { clientId: string; clientSecret: string };
let applicationId: string;
const subscriptionIds: Record<string, string> = {};
const apisByName: Record<string, TestApi> = {};

async function claimsOfNewToken() {
  const { access_token } = await issueClientCredentialsToken(credentials);
  return accessTokenClaimsSchema.parse(decodeJwt(access_token));
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'acme.test');
  developer = await insertUser(database.db, tenant, 'dana', ['subscriber']);
  publisher = await insertUser(database.db, tenant, 'pete', ['publisher']);
  const application = await createApplication(developer, { name: 'Weather app', description: '', tier: 'Gold' });
  applicationId = application.id;
  const { key, consumerSecret } = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 600, tokenType: 'JWT' });
  credentials = { clientId: key.consumerKey, clientSecret: consumerSecret };
  // Subscribe while every API is published, then move each to the state under test.
  for (const name of ['Forecast', 'Radar', 'Alerts', 'Archive', 'Maps', 'Tides']) {
    apisByName[name] = await insertApi(database.db, tenant, { name, tiers: ['Gold', 'Bronze'] });
    const subscription = await subscribe(developer, { applicationId, apiId: apisByName[name].id, tier: name === 'Radar' ? 'Bronze' : 'Gold' });
    subscriptionIds[name] = subscription.id;
  }
  const moveTo = { Alerts: 'BLOCKED', Archive: 'RETIRED', Maps: 'CREATED', Radar: 'DEPRECATED' } as const;
  for (const [name, state] of Object.entries(moveTo)) {
    await database.db.update(apis).set({ state }).where(eq(apis.id, apisByName[name]!.id));
  }
});

afterAll(async () => {
  await database.close();
});

describe('client_credentials access tokens', () => {
  it('carries the contract claims the gateways validate, signed by a key of the JWKS', async () => {
    const { access_token, token_type, expires_in } = await issueClientCredentialsToken(credentials);
    expect(token_type).toBe('Bearer');
    expect(expires_in).toBe(600);
    const { payload } = await jwtVerify(access_token, createLocalJWKSet(await publicJwks()), {
      issuer: issuerUrl(),
      audience: ACCESS_TOKEN_AUDIENCE,
      algorithms: ['RS256'],
    });
    const claims = accessTokenClaimsSchema.parse(payload);
    expect(claims).toMatchObject({
      sub: credentials.clientId,
      client_id: credentials.clientId,
      tenant: 'acme.test',
      application: { id: applicationId, name: 'Weather app', tier: 'Gold', owner: 'dana' },
    });
    expect(claims.exp - claims.iat).toBe(600);
    expect(decodeProtectedHeader(access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
  });

  it('lists active subscriptions to published and deprecated APIs only', async () => {
    const { subscriptions } = await claimsOfNewToken();
    expect(subscriptions).toEqual({
      [apisByName.Forecast!.id]: 'Gold',
      [apisByName.Radar!.id]: 'Bronze',
      [apisByName.Tides!.id]: 'Gold',
    });
  });

  it('leaves a blocked subscription out of new tokens, and puts it back when unblocked', async () => {
    await setSubscriptionBlocked(publisher, subscriptionIds.Tides!, true);
    const subscribedApis = async () => Object.keys((await claimsOfNewToken()).subscriptions).sort();
    const ids = (...names: string[]) => names.map((name) => apisByName[name]!.id).sort();
    expect(await subscribedApis()).toEqual(ids('Forecast', 'Radar'));
    await setSubscriptionBlocked(publisher, subscriptionIds.Tides!, false);
    expect(await subscribedApis()).toEqual(ids('Forecast', 'Radar', 'Tides'));
  });

  it('records every token by jti so it can be introspected and revoked', async () => {
    const claims = await claimsOfNewToken();
    const [row] = await database.db.select().from(accessTokens).where(eq(accessTokens.jti, claims.jti));
    expect(row).toMatchObject({ applicationId, consumerKey: credentials.clientId, tokenType: 'jwt', opaqueTokenHash: null, revokedAt: null });
    expect(row!.expiresAt.getTime()).toBe(claims.exp * 1000);
  });

  it('refuses a wrong secret and an unknown consumer key alike', async () => {
    await expect(issueClientCredentialsToken({ ...credentials, clientSecret: 'wrong' })).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(issueClientCredentialsToken({ ...credentials, clientId: 'nobody' })).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('grants the default scope and refuses others', async () => {
    expect((await issueClientCredentialsToken(credentials)).scope).toBe('default');
    expect((await claimsOfNewToken()).scope).toBe('default');
    expect((await issueClientCredentialsToken({ ...credentials, scope: 'default' })).scope).toBe('default');
    await expect(issueClientCredentialsToken({ ...credentials, scope: 'admin' })).rejects.toMatchObject({ code: 'invalid_scope' });
    await expect(issueClientCredentialsToken({ ...credentials, scope: 'default  default' })).rejects.toMatchObject({ code: 'invalid_scope' });
  });

  it('issues an opaque token for an OPAQUE key and stores only its hash', async () => {
    const other = await createApplication(developer, { name: 'Opaque app', description: '', tier: 'Bronze' });
    const { key, consumerSecret } = await generateApplicationKeys(developer, other.id, { tokenValiditySeconds: 120, tokenType: 'OPAQUE' });
    const response = await issueClientCredentialsToken({ clientId: key.consumerKey, clientSecret: consumerSecret });
    expect(response.expires_in).toBe(120);
    expect(response.access_token).not.toContain('.');
    expect(response.access_token.length).toBeGreaterThanOrEqual(43);
    const rows = await database.db.select().from(accessTokens).where(eq(accessTokens.applicationId, other.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenType).toBe('opaque');
    expect(rows[0]!.opaqueTokenHash).toBe(sha256Hex(response.access_token));
    expect(JSON.stringify(rows)).not.toContain(response.access_token);
  });

  it('caps every token at the platform maximum, whatever validity a key was saved with', async () => {
    // A key saved before the maximum existed asks for a year.
    await database.db.update(applicationKeys).set({ tokenValiditySeconds: 365 * 24 * 3600 }).where(eq(applicationKeys.consumerKey, credentials.clientId));
    try {
      const capped = await issueClientCredentialsToken(credentials);
      expect(capped.expires_in).toBe(3600);
      const claims = accessTokenClaimsSchema.parse(decodeJwt(capped.access_token));
      expect(claims.exp - claims.iat).toBe(3600);
      const [row] = await database.db.select().from(accessTokens).where(eq(accessTokens.jti, claims.jti));
      expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(3600 * 1000);

      // A platform that lowers the maximum lowers it for keys saved above it, at the next token.
      vi.stubEnv('PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS', '120');
      const lowered = await issueClientCredentialsToken(credentials);
      expect(lowered.expires_in).toBe(120);
      expect(accessTokenClaimsSchema.parse(decodeJwt(lowered.access_token)).exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(120);
    } finally {
      vi.unstubAllEnvs();
      useThrowawaySecretKey();
      await database.db.update(applicationKeys).set({ tokenValiditySeconds: 600 }).where(eq(applicationKeys.consumerKey, credentials.clientId));
    }
  });
});
