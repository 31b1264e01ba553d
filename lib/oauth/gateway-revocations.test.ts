import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, deleteApplication, generateApplicationKeys, revokeApplicationTokens } from '../applications/applications.service';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { setSubscriptionBlocked, subscribe, unsubscribe } from '../subscriptions/subscriptions.service';
import { gatewayRevocationList } from './gateway-revocations';
import { introspectionClientFor } from './introspection.service';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestApi } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

// What a running gateway is told to refuse: each way a grant ends must show up in its API's
// list, only there, only to that tenant's gateways.

let database: DatabaseHandle;
let developer: Actor;
let publisher: Actor;
let orders: TestApi;
let billing: TestApi;
let gateway: { clientId: string; clientSecret: string };
let foreignGateway: { clientId: string; clientSecret: string };

const entriesFor = async (api: TestApi, client = gateway) =>
  (await gatewayRevocationList(client, api.id)).split('\n').filter((line) => line && !line.startsWith('#'));

async function applicationWithKeys(name: string) {
  const application = await createApplication(developer, { name, description: '', tier: 'Gold' });
  const { key, consumerSecret } = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 300, tokenType: 'JWT' });
  return { id: application.id, clientId: key.consumerKey, clientSecret: consumerSecret };
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const acme = await insertTenant(database.db, 'acme.test');
  const other = await insertTenant(database.db, 'other.test');
  developer = await insertUser(database.db, acme, 'dev', ['subscriber']);
  publisher = await insertUser(database.db, acme, 'pub', ['publisher']);
  orders = await insertApi(database.db, acme, { name: 'Orders', tiers: ['Gold'] });
  billing = await insertApi(database.db, acme, { name: 'Billing', tiers: ['Gold'] });
  gateway = await introspectionClientFor(acme.id);
  foreignGateway = await introspectionClientFor(other.id);
});

afterAll(async () => {
  await database.close();
});

describe('the revocation list of an API', () => {
  it('lists an application whose subscription was blocked, from the moment of the block, for that API only', async () => {
    const app = await applicationWithKeys('Blocked app');
    const subscription = await subscribe(developer, { applicationId: app.id, apiId: orders.id, tier: 'Gold' });
    await subscribe(developer, { applicationId: app.id, apiId: billing.id, tier: 'Gold' });
    expect(await entriesFor(orders)).toEqual([]);
    const before = Math.floor(Date.now() / 1000);
    await setSubscriptionBlocked(publisher, subscription.id, true);
    const [entry] = await entriesFor(orders);
    const [, id, since] = entry!.split(' ');
    expect(entry).toMatch(/^application \S+ \d+$/);
    expect(id).toBe(app.id);
    expect(Number(since)).toBeGreaterThanOrEqual(before);
    expect(await entriesFor(billing)).toEqual([]);
    // Unblocking does not forget: tokens issued during the block stay refused; new ones are newer than the entry.
    await setSubscriptionBlocked(publisher, subscription.id, false);
    expect(await entriesFor(orders)).toEqual([entry]);
  });

  it('lists an application that unsubscribed, and one that was deleted with all its grants', async () => {
    const leaving = await applicationWithKeys('Leaving app');
    const subscription = await subscribe(developer, { applicationId: leaving.id, apiId: billing.id, tier: 'Gold' });
    await unsubscribe(developer, subscription.id);
    expect((await entriesFor(billing)).some((line) => line.startsWith(`application ${leaving.id} `))).toBe(true);

    const deleted = await applicationWithKeys('Deleted app');
    await subscribe(developer, { applicationId: deleted.id, apiId: orders.id, tier: 'Gold' });
    await subscribe(developer, { applicationId: deleted.id, apiId: billing.id, tier: 'Gold' });
    await deleteApplication(developer, deleted.id);
    for (const api of [orders, billing]) expect((await entriesFor(api)).some((line) => line.startsWith(`application ${deleted.id} `))).toBe(true);
  });

  it('lists revoked tokens of the tenant until they expire', async () => {
    const app = await applicationWithKeys('Revoking app');
    await subscribe(developer, { applicationId: app.id, apiId: orders.id, tier: 'Gold' });
    await issueClientCredentialsToken({ clientId: app.clientId, clientSecret: app.clientSecret });
    const { revokedCount } = await revokeApplicationTokens(developer, app.id);
    expect(revokedCount).toBe(1);
    expect((await entriesFor(orders)).filter((line) => line.startsWith('token '))).toHaveLength(1);
    // Five minutes later the token has expired on its own: nothing left to tell gateways.
    const later = new Date(Date.now() + 301_000);
    expect((await gatewayRevocationList(gateway, orders.id, later)).split('\n').filter((line) => line.startsWith('token '))).toEqual([]);
  });

  it("answers another tenant's gateway with an empty list, and refuses anyone else", async () => {
    expect(await entriesFor(orders, foreignGateway)).toEqual([]);
    expect(await entriesFor({ ...orders, id: 'not-a-uuid' } as TestApi)).toEqual([]);
    const app = await applicationWithKeys('Curious app');
    await expect(gatewayRevocationList({ clientId: app.clientId, clientSecret: app.clientSecret }, orders.id)).rejects.toBeInstanceOf(AppError);
    await expect(gatewayRevocationList({ ...gateway, clientSecret: 'wrong' }, orders.id)).rejects.toBeInstanceOf(AppError);
  });
});
