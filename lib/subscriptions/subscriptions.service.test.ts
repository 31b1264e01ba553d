import { inArray } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, generateAccessTokenForApplication, generateApplicationKeys } from '../applications/applications.service';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { apis } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestApi, type TestTenant } from '../test-support/oauth-fixtures';
import { subscribeSchema } from './subscriptions.schema';
import {
  blockTakesEffectNote,
  listSubscribersOfApi,
  listSubscriptionsOfApi,
  listSubscriptionsOfApplication,
  decideSubscription,
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
let tenant: TestTenant;
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
  tenant = await insertTenant(database.db, 'subs.test');
  dev = await insertUser(database.db, tenant, 'dev', ['subscriber']);
  otherDev = await insertUser(database.db, tenant, 'olga', ['subscriber']);
  publisher = await insertUser(database.db, tenant, 'pub', ['publisher']);
  appId = (await createApplication(dev, { name: 'Checkout', description: '', tier: 'Gold' })).id;
  await generateApplicationKeys(dev, appId, { tokenValiditySeconds: 1800, tokenType: 'JWT' });
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
    // A private API takes requests from its tenant's developers; they wait for a publisher.
    await expect(subscribe(dev, { applicationId: appId, apiId: privateApi.id, tier: 'Unlimited' })).resolves.toMatchObject({ apiName: 'Ledger', status: 'ON_HOLD' });
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

/** The contexts of the APIs a new token of the application grants (its claims map API id to tier). */
async function contextsInNewToken(owner: Actor, applicationId: string): Promise<string[]> {
  const granted = Object.keys(decodeJwt((await generateAccessTokenForApplication(owner, applicationId)).access_token).subscriptions as Record<string, string>);
  if (granted.length === 0) return [];
  const rows = await database.db.select({ context: apis.context }).from(apis).where(inArray(apis.id, granted));
  return rows.map((row) => row.context).sort();
}

describe('approval', () => {
  const contexts = (applicationId: string, owner: Actor) => contextsInNewToken(owner, applicationId);

  it('keeps a request to a private API out of tokens until a publisher of its tenant approves it', async () => {
    expect(await contexts(appId, dev)).toEqual(['/payments']);
    const [request] = await listSubscribersOfApi(publisher, privateApi.id);
    expect(request).toMatchObject({ applicationName: 'Checkout', status: 'ON_HOLD' });

    // Nobody else decides, and "unblock" is no way around the approval.
    expect((await refusal(decideSubscription(dev, request!.subscriptionId, 'approve'))).kind).toBe('forbidden');
    expect((await refusal(decideSubscription(foreignPublisher, request!.subscriptionId, 'approve'))).kind).toBe('not_found');
    expect(await refusal(setSubscriptionBlocked(publisher, request!.subscriptionId, false))).toEqual({
      kind: 'conflict',
      message: 'The subscription of Checkout is waiting for approval, so it cannot be unblocked.',
    });
    expect((await refusal(setSubscriptionBlocked(publisher, request!.subscriptionId, true))).kind).toBe('conflict');
    expect(await contexts(appId, dev)).toEqual(['/payments']);

    expect(await decideSubscription(publisher, request!.subscriptionId, 'approve')).toMatchObject({ status: 'ACTIVE' });
    expect(await contexts(appId, dev)).toEqual(['/ledger', '/payments']);
  });

  it('keeps a rejected request out of tokens; the developer withdraws it to ask again', async () => {
    await generateApplicationKeys(otherDev, otherDevAppId, { tokenValiditySeconds: 600, tokenType: 'JWT' });
    const asked = await subscribe(otherDev, { applicationId: otherDevAppId, apiId: privateApi.id, tier: 'Unlimited' });
    const request = (await listSubscribersOfApi(publisher, privateApi.id)).find((s) => s.applicationName === 'Olga app')!;
    expect(request.status).toBe('ON_HOLD');
    expect(await decideSubscription(publisher, request.subscriptionId, 'reject')).toMatchObject({ status: 'REJECTED' });
    expect(await contexts(otherDevAppId, otherDev)).not.toContain('/ledger');
    expect(await refusal(subscribe(otherDev, { applicationId: otherDevAppId, apiId: privateApi.id, tier: 'Unlimited' }))).toEqual({
      kind: 'conflict',
      message: "The publisher rejected Olga app's subscription to Ledger v1. Withdraw it to ask again.",
    });
    expect((await refusal(decideSubscription(publisher, request.subscriptionId, 'reject'))).kind).toBe('conflict');

    await unsubscribe(otherDev, asked.id);
    expect(await subscribe(otherDev, { applicationId: otherDevAppId, apiId: privateApi.id, tier: 'Unlimited' })).toMatchObject({ status: 'ON_HOLD' });
    expect(await contexts(otherDevAppId, otherDev)).not.toContain('/ledger');
  });

  it('holds subscriptions to a public API when its publisher asks for approval, and lists requests first', async () => {
    const reviewed = await insertApi(database.db, tenant, { name: 'Reviewed', subscriptionApproval: true });
    const openApi = await insertApi(database.db, tenant, { name: 'Open' });
    const second = (await createApplication(otherDev, { name: 'Aardvark', description: '', tier: 'Gold' })).id;
    expect(await subscribe(dev, { applicationId: appId, apiId: reviewed.id, tier: 'Gold' })).toMatchObject({ status: 'ON_HOLD' });
    expect(await subscribe(otherDev, { applicationId: second, apiId: openApi.id, tier: 'Gold' })).toMatchObject({ status: 'ACTIVE' });
    expect(await contexts(appId, dev)).not.toContain('/reviewed');

    await subscribe(otherDev, { applicationId: second, apiId: reviewed.id, tier: 'Gold' });
    const [first] = await listSubscribersOfApi(publisher, reviewed.id);
    await decideSubscription(publisher, first!.subscriptionId, 'approve');
    // The one still waiting comes first, although "Aardvark" sorts before "Checkout".
    expect((await listSubscribersOfApi(publisher, reviewed.id)).map((s) => [s.applicationName, s.status])).toEqual([
      ['Checkout', 'ON_HOLD'],
      ['Aardvark', 'ACTIVE'],
    ]);
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
    const contexts = () => contextsInNewToken(dev, appId);
    expect(await contexts()).toEqual(['/ledger', '/payments']);

    expect(await setSubscriptionBlocked(publisher, subscriber!.subscriptionId, true)).toMatchObject({ status: 'BLOCKED' });
    expect(await contexts()).toEqual(['/ledger']);
    expect((await listSubscriptionsOfApplication(dev, appId)).find((s) => s.apiName === 'Payments')?.status).toBe('BLOCKED');

    await setSubscriptionBlocked(publisher, subscriber!.subscriptionId, false);
    expect(await contexts()).toEqual(['/ledger', '/payments']);
    expect(blockTakesEffectNote()).toMatch(/reaches every running gateway within 13 seconds/);
  });

  it('lets only publishers of the API’s tenant block', async () => {
    const [subscriber] = await listSubscribersOfApi(publisher, payments.id);
    expect((await refusal(setSubscriptionBlocked(dev, subscriber!.subscriptionId, true))).kind).toBe('forbidden');
    expect((await refusal(setSubscriptionBlocked(foreignPublisher, subscriber!.subscriptionId, true))).kind).toBe('not_found');
    expect((await listSubscribersOfApi(publisher, payments.id))[0]!.status).toBe('ACTIVE');
  });
});
