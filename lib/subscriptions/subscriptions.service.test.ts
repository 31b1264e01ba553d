import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, generateAccessTokenForApplication, generateProductionKeys } from '../applications/applications.service';
import type { Actor } from '../auth/actor';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../db/test-database';
import { AppError } from '../errors';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestApi } from '../oauth/test-fixtures';
import { subscribeSchema } from './subscriptions.schema';
import {
  BLOCK_TAKES_EFFECT_NOTE,
  listSubscribersOfApi,
  listSubscriptionsOfApi,
  listSubscriptionsOfApplication,
  setSubscriptionBlocked,
  subscribe,
  unsubscribe,
} from './subscriptions.service';

let database: DatabaseHandle;
let dev: Actor;
let otherDev: Actor;
let publisher: Actor;
let foreignPublisher: Actor;
let appId: string;
let otherDevAppId: string;
let payments: TestApi;
let privateApi: TestApi;
let foreignApi: TestApi;
const apiInState: Record<string, TestApi> = {};

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await promise;
    return { kind: 'none', message: '' };
  } catch (error) {
    if (error instanceof AppError) return { kind: error.kind, message: error.message };
    throw error;
  }
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'subs.test');
  dev = await insertUser(database.db, tenant, 'dev', ['subscriber']);
  otherDev = await insertUser(database.db, tenant, 'olga', ['subscriber']);
  publisher = await insertUser(database.db, tenant, 'pub', ['publisher']);
  appId = (await createApplication(dev, { name: 'Checkout', description: '', tier: 'Gold' })).id;
  await generateProductionKeys(dev, appId, { tokenValiditySeconds: 1800, tokenType: 'JWT' });
  otherDevAppId = (await createApplication(otherDev, { name: 'Olga app', description: '', tier: 'Bronze' })).id;
  payments = await insertApi(database.db, tenant, { name: 'Payments', tiers: ['Gold', 'Silver'] });
  privateApi = await insertApi(database.db, tenant, { name: 'Ledger', visibility: 'private', tiers: ['Unlimited'] });
  for (const state of ['CREATED', 'PRE_RELEASED', 'DEPRECATED', 'BLOCKED', 'RETIRED'] as const) {
    apiInState[state] = await insertApi(database.db, tenant, { name: `Api${state}`, state });
  }
  const foreignTenant = await insertTenant(database.db, 'foreign.test');
  foreignPublisher = await insertUser(database.db, foreignTenant, 'fpub', ['publisher']);
  foreignApi = await insertApi(database.db, foreignTenant, { name: 'Foreign' });
});

afterAll(async () => {
  await database.close();
});

describe('subscribing', () => {
  it('subscribes an own application to a published API at an offered tier', async () => {
    const subscription = await subscribe(dev, subscribeSchema.parse({ applicationId: appId, apiId: payments.id, tier: 'Silver' }));
    expect(subscription).toMatchObject({ apiId: payments.id, apiName: 'Payments', apiVersion: 'v1', apiContext: '/payments', tier: 'Silver', status: 'ACTIVE' });
    expect((await listSubscriptionsOfApplication(dev, appId)).map((s) => s.apiName)).toEqual(['Payments']);
    // Private APIs are visible inside their own tenant.
    await expect(subscribe(dev, { applicationId: appId, apiId: privateApi.id, tier: 'Unlimited' })).resolves.toMatchObject({ apiName: 'Ledger' });
  });

  it('refuses a second subscription of the same application with a clear message', async () => {
    const { kind, message } = await refusal(subscribe(dev, { applicationId: appId, apiId: payments.id, tier: 'Gold' }));
    expect(kind).toBe('conflict');
    expect(message).toBe('Checkout is already subscribed to Payments v1. Unsubscribe first to change its tier.');
  });

  it('refuses a tier the API does not offer, on the tier field', async () => {
    const otherApp = (await createApplication(dev, { name: 'Second', description: '', tier: 'Gold' })).id;
    await expect(subscribe(dev, { applicationId: otherApp, apiId: payments.id, tier: 'Bronze' })).rejects.toMatchObject({
      kind: 'validation',
      fieldErrors: { tier: ['Payments v1 offers Gold, Silver; pick one of those tiers.'] },
    });
  });

  it('takes subscriptions only while the API is published', async () => {
    expect((await refusal(subscribe(dev, { applicationId: appId, apiId: apiInState.CREATED!.id, tier: 'Gold' }))).kind).toBe('not_found');
    for (const state of ['PRE_RELEASED', 'DEPRECATED', 'BLOCKED', 'RETIRED']) {
      const { kind, message } = await refusal(subscribe(dev, { applicationId: appId, apiId: apiInState[state]!.id, tier: 'Gold' }));
      expect(kind).toBe('conflict');
      expect(message).toMatch(/takes no|once it is published/);
    }
  });

  it('treats another developer’s application and another tenant’s API as not found', async () => {
    expect((await refusal(subscribe(dev, { applicationId: otherDevAppId, apiId: payments.id, tier: 'Gold' }))).kind).toBe('not_found');
    expect((await refusal(subscribe(dev, { applicationId: appId, apiId: foreignApi.id, tier: 'Gold' }))).kind).toBe('not_found');
    expect((await refusal(listSubscriptionsOfApplication(dev, otherDevAppId))).kind).toBe('not_found');
    expect((await refusal(listSubscriptionsOfApi(dev, foreignApi.id))).kind).toBe('not_found');
  });

  it('shows a developer only their own applications’ subscriptions to an API', async () => {
    await subscribe(otherDev, { applicationId: otherDevAppId, apiId: payments.id, tier: 'Gold' });
    expect((await listSubscriptionsOfApi(dev, payments.id)).map((s) => s.applicationName)).toEqual(['Checkout']);
    expect((await listSubscriptionsOfApi(otherDev, payments.id)).map((s) => s.applicationName)).toEqual(['Olga app']);
  });

  it('unsubscribes only the developer’s own subscriptions', async () => {
    const [olgas] = await listSubscriptionsOfApi(otherDev, payments.id);
    expect((await refusal(unsubscribe(dev, olgas!.id))).kind).toBe('not_found');
    await unsubscribe(otherDev, olgas!.id);
    expect(await listSubscriptionsOfApi(otherDev, payments.id)).toEqual([]);
    expect((await refusal(unsubscribe(otherDev, olgas!.id))).kind).toBe('not_found');
  });
});

describe('publisher view and blocking', () => {
  it('lists an API’s subscribers with application, owner, tier and status', async () => {
    const subscribers = await listSubscribersOfApi(publisher, payments.id);
    expect(subscribers).toEqual([
      expect.objectContaining({ applicationName: 'Checkout', owner: 'dev', tier: 'Silver', status: 'ACTIVE', blockTakesEffectWithinSeconds: 1800 }),
    ]);
    expect((await refusal(listSubscribersOfApi(dev, payments.id))).kind).toBe('forbidden');
    expect((await refusal(listSubscribersOfApi(foreignPublisher, payments.id))).kind).toBe('not_found');
  });

  it('blocks a subscription out of new tokens, and unblocks it', async () => {
    const [subscriber] = await listSubscribersOfApi(publisher, payments.id);
    const contexts = async () => (decodeJwt((await generateAccessTokenForApplication(dev, appId)).access_token).subscriptions as { context: string }[]).map((s) => s.context);
    expect(await contexts()).toEqual(['/ledger', '/payments']);

    expect(await setSubscriptionBlocked(publisher, subscriber!.subscriptionId, true)).toMatchObject({ status: 'BLOCKED' });
    expect(await contexts()).toEqual(['/ledger']);
    expect((await listSubscriptionsOfApplication(dev, appId)).find((s) => s.apiName === 'Payments')?.status).toBe('BLOCKED');

    await setSubscriptionBlocked(publisher, subscriber!.subscriptionId, false);
    expect(await contexts()).toEqual(['/ledger', '/payments']);
    expect(BLOCK_TAKES_EFFECT_NOTE).toMatch(/token validity/);
  });

  it('lets only publishers of the API’s tenant block', async () => {
    const [subscriber] = await listSubscribersOfApi(publisher, payments.id);
    expect((await refusal(setSubscriptionBlocked(dev, subscriber!.subscriptionId, true))).kind).toBe('forbidden');
    expect((await refusal(setSubscriptionBlocked(foreignPublisher, subscriber!.subscriptionId, true))).kind).toBe('not_found');
    expect((await listSubscribersOfApi(publisher, payments.id))[0]!.status).toBe('ACTIVE');
  });
});
