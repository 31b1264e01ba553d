import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionResponseSchema } from './access-token-claims';
import { createApplication, generateApplicationKeys, revokeApplicationTokens } from '../applications/applications.service';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { setSubscriptionBlocked, subscribe } from '../subscriptions/subscriptions.service';
import { introspect, introspectionClientFor } from './introspection.service';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestTenant } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

let database: DatabaseHandle;
let acme: TestTenant;
let developer: Actor;
let publisher: Actor;
let gateway: { clientId: string; clientSecret: string };
let jwtClient: { clientId: string; clientSecret: string };
let opaqueClient: { applicationId: string; clientId: string; clientSecret: string };
let opaqueSubscriptionId: string;

async function applicationWithKeys(owner: Actor, name: string, tokenType: 'JWT' | 'OPAQUE') {
  const application = await createApplication(owner, { name, description: '', tier: 'Silver' });
  const { key, consumerSecret } = await generateApplicationKeys(owner, application.id, { tokenValiditySeconds: 300, tokenType });
  return { applicationId: application.id, clientId: key.consumerKey, clientSecret: consumerSecret };
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  acme = await insertTenant(database.db, 'acme.test');
  developer = await insertUser(database.db, acme, 'dev', ['subscriber']);
  publisher = await insertUser(database.db, acme, 'pub', ['publisher']);
  gateway = await introspectionClientFor(acme.id);
  jwtClient = await applicationWithKeys(developer, 'JWT app', 'JWT');
  opaqueClient = await applicationWithKeys(developer, 'Opaque app', 'OPAQUE');
  const api = await insertApi(database.db, acme, { name: 'Orders', tiers: ['Gold'] });
  opaqueSubscriptionId = (await subscribe(developer, { applicationId: opaqueClient.applicationId, apiId: api.id, tier: 'Gold' })).id;
});

afterAll(async () => {
  await database.close();
});

describe('token introspection', () => {
  it('describes a valid JWT with the same claims it carries, for the tenant gateways', async () => {
    const { access_token } = await issueClientCredentialsToken(jwtClient);
    const answer = await introspect(access_token, gateway);
    expect(introspectionResponseSchema.parse(answer).active).toBe(true);
    expect(answer).toMatchObject({
      active: true,
      token_type: 'Bearer',
      client_id: jwtClient.clientId,
      sub: jwtClient.clientId,
      tenant: 'acme.test',
      application: { name: 'JWT app', tier: 'Silver', owner: 'dev' },
      subscriptions: {},
    });
  });

  it('describes a valid opaque token, with subscriptions as of now', async () => {
    const { access_token } = await issueClientCredentialsToken(opaqueClient);
    const answer = await introspect(access_token, gateway);
    expect(answer).toMatchObject({ active: true, client_id: opaqueClient.clientId });
    expect(Object.values((answer as { subscriptions: Record<string, string> }).subscriptions)).toEqual(['Gold']);

    // A block reaches opaque tokens at once: the next introspection no longer lists the API.
    await setSubscriptionBlocked(publisher, opaqueSubscriptionId, true);
    expect(await introspect(access_token, gateway)).toMatchObject({ active: true, subscriptions: {} });
    await setSubscriptionBlocked(publisher, opaqueSubscriptionId, false);
  });

  it('says inactive, and nothing more, for unknown and expired tokens', async () => {
    expect(await introspect('no-such-token', gateway)).toEqual({ active: false });
    expect(await introspect('eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.c2ln', gateway)).toEqual({ active: false });
    const longAgo = new Date(Date.now() - 3_600_000);
    const expiredJwt = (await issueClientCredentialsToken(jwtClient, longAgo)).access_token;
    const expiredOpaque = (await issueClientCredentialsToken(opaqueClient, longAgo)).access_token;
    expect(await introspect(expiredJwt, gateway)).toEqual({ active: false });
    expect(await introspect(expiredOpaque, gateway)).toEqual({ active: false });
  });

  it("says inactive for revoked tokens, and only the revoked application's", async () => {
    const jwtOfOtherApp = (await issueClientCredentialsToken(jwtClient)).access_token;
    const opaque = (await issueClientCredentialsToken(opaqueClient)).access_token;
    expect(await revokeApplicationTokens(developer, opaqueClient.applicationId)).toEqual({ revokedCount: expect.any(Number) });
    expect(await introspect(opaque, gateway)).toEqual({ active: false });
    expect((await introspect(jwtOfOtherApp, gateway)).active).toBe(true);
  });

  it('hides tokens of another tenant from this tenant’s gateways', async () => {
    const other = await insertTenant(database.db, 'other.test');
    const otherGateway = await introspectionClientFor(other.id);
    const otherDeveloper = await insertUser(database.db, other, 'odev', ['subscriber']);
    const otherClient = await applicationWithKeys(otherDeveloper, 'Other app', 'OPAQUE');
    const otherToken = (await issueClientCredentialsToken(otherClient)).access_token;
    expect(await introspect(otherToken, gateway)).toEqual({ active: false });
    expect((await introspect(otherToken, otherGateway)).active).toBe(true);
  });

  it('lets an application introspect its own tokens only', async () => {
    const own = (await issueClientCredentialsToken(jwtClient)).access_token;
    const someoneElses = (await issueClientCredentialsToken(opaqueClient)).access_token;
    expect((await introspect(own, jwtClient)).active).toBe(true);
    expect(await introspect(someoneElses, jwtClient)).toEqual({ active: false });
  });

  it('refuses callers with wrong credentials', async () => {
    await expect(introspect('x', { ...gateway, clientSecret: 'wrong' })).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(introspect('x', { ...jwtClient, clientSecret: 'wrong' })).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('creates one introspection client per tenant and keeps it', async () => {
    expect(await introspectionClientFor(acme.id)).toEqual(gateway);
    const rows = await database.db.query.introspectionClients.findMany();
    expect(JSON.stringify(rows)).not.toContain(gateway.clientSecret);
  });
});
