import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLifecycleState, setClusterSelection } from '../apis/apis.service';
import type { Actor } from '../actor';
import { localContainerManager } from '../containers/local/local-manager';
import type { DatabaseHandle } from '../db/drizzle';
import { apis, applicationTrafficHours, applicationTrafficMinutes, gatewayScrapes, trafficHours, trafficMinutes } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { deploymentsSettled, deploymentViews } from '../deployments/deployments.service';
import { freePort, seedPublisherWithApi, usePlatformClusters } from '../test-support/deployments';
import { ACCESS_TOKEN_AUDIENCE, issuerUrl } from '../oauth/issuer';
import { ensureSigningKeys, signAccessToken } from '../oauth/signing-keys';
import { startTestBackend, type TestBackend } from '../test-support/test-backend';
import { DEFAULT_TRAFFIC_SETTINGS, type TrafficSettings } from './traffic-settings';
import type { ScrapeResult } from './traffic-scraper';
import { TrafficWorker } from './traffic-worker';
import { dayOfTrafficByApi, trafficView } from './traffic-views';

/**
 * Traffic collection end to end below the UI, on the Local cluster: a published API's real
 * gateway answers a known mix of requests through the local ingress; the scraper reads its
 * counters and the stored minutes, hours and per-application rows hold exactly that mix. A
 * gateway killed and restarted in between changes nothing that was stored and adds only what
 * came after. Two workers on one database read each gateway once per interval.
 */

let database: DatabaseHandle;
let backend: TestBackend;
let actor: Actor;
let apiId: string;
let accessUrl: string;
const GOLD_APP = randomUUID();
const BRONZE_APP = randomUUID();
const BRONZE_PER_MINUTE = 1000;

const settings = (overrides: Partial<TrafficSettings> = {}): TrafficSettings => ({ ...DEFAULT_TRAFFIC_SETTINGS, scrapeEveryMs: 200, scrapeTimeoutMs: 3000, ...overrides });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tokenFor(applicationId: string, tier: string, tenant = actor.tenantDomain): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signAccessToken({
    iss: issuerUrl(),
    sub: `key-${applicationId}`,
    aud: ACCESS_TOKEN_AUDIENCE,
    exp: now + 600,
    iat: now,
    nbf: now,
    jti: randomUUID(),
    client_id: `key-${applicationId}`,
    scope: 'default',
    tenant,
    application: { id: applicationId, name: `app ${tier}`, tier: 'Unlimited', owner: 'dev' },
    subscriptions: { [apiId]: tier },
  });
}

/** Sends `count` GETs (16 at a time) and returns their statuses. */
async function send(count: number, headers: Record<string, string> = {}, path = '/pets'): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(16, count) }, async () => {
      while (next < count) {
        next++;
        const response = await fetch(`${accessUrl}/petstore/1.0.0${path}`, { headers });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }),
  );
  return statuses;
}

async function totals(table: typeof trafficMinutes | typeof trafficHours) {
  const [row] = await database.db
    .select({
      requests: sql<number>`coalesce(sum(${table.requests}), 0)::int`,
      status2xx: sql<number>`coalesce(sum(${table.status2xx}), 0)::int`,
      status4xx: sql<number>`coalesce(sum(${table.status4xx}), 0)::int`,
      status5xx: sql<number>`coalesce(sum(${table.status5xx}), 0)::int`,
      status401: sql<number>`coalesce(sum(${table.status401}), 0)::int`,
      status403: sql<number>`coalesce(sum(${table.status403}), 0)::int`,
      throttled: sql<number>`coalesce(sum(${table.throttled}), 0)::int`,
      latencyCount: sql<number>`coalesce(sum((select sum(b) from unnest(${table.latencyBuckets}) as b)), 0)::int`,
      smallest: sql<number>`coalesce(min(least(${table.requests}, ${table.status2xx}, ${table.status4xx}, ${table.status5xx}, ${table.throttled})), 0)::int`,
    })
    .from(table)
    .where(eq(table.apiId, apiId));
  return row!;
}

async function applicationTotals(table: typeof applicationTrafficMinutes | typeof applicationTrafficHours) {
  const rows = await database.db
    .select({ applicationId: table.applicationId, requests: sql<number>`sum(${table.requests})::int`, errors: sql<number>`sum(${table.errors})::int`, throttled: sql<number>`sum(${table.throttled})::int` })
    .from(table)
    .where(eq(table.apiId, apiId))
    .groupBy(table.applicationId);
  return Object.fromEntries(rows.map(({ applicationId, ...figures }) => [applicationId, figures]));
}

beforeAll(async () => {
  database = await freshTestDatabase();
  backend = await startTestBackend();
  accessUrl = `http://localhost:${await freePort()}`;
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
  ({ actor, apiId } = await seedPublisherWithApi(database.db, { tenantDomain: 'carbon.super', context: '/petstore', endpoint: backend.url }));
  await database.db.update(apis).set({ tiers: ['Gold', 'Bronze'] }).where(eq(apis.id, apiId));
  await ensureSigningKeys();
  await setClusterSelection(actor, apiId, ['local']);
  await changeLifecycleState(actor, apiId, 'PUBLISHED');
  await deploymentsSettled(apiId);
}, 120_000);

afterAll(async () => {
  await localContainerManager.stopAll();
  await backend?.close();
  await database?.close();
});

describe('traffic of a Local gateway', () => {
  const expected = { requests: 0, status2xx: 0, status4xx: 0, status5xx: 0, status401: 0, status403: 0, throttled: 0 };

  it('stores exactly what the gateway answered: 2xx, 401, 403, 429 and a backend 500, per application too', async () => {
    const worker = new TrafficWorker(settings());
    const gold = { authorization: `Bearer ${await tokenFor(GOLD_APP, 'Gold')}` };
    const bronze = { authorization: `Bearer ${await tokenFor(BRONZE_APP, 'Bronze')}` };
    const strangers = { authorization: `Bearer ${await tokenFor(GOLD_APP, 'Gold', 'example.com')}` };
    expect(await send(20, gold)).toEqual(new Array(20).fill(200));
    expect(await send(3, { ...gold, 'x-test-status': '500' })).toEqual([500, 500, 500]);
    expect(await send(4)).toEqual([401, 401, 401, 401]);
    expect(await send(2, strangers)).toEqual([403, 403]);
    // Past the Bronze tier's limit in a minute: the rest are throttled. (On a machine so slow that the
    // calls spread over more than a minute, fewer are; the figures must match what was answered.)
    const bronzeStatuses = await send(BRONZE_PER_MINUTE + 5, bronze);
    const throttled = bronzeStatuses.filter((status) => status === 429).length;
    expect(bronzeStatuses.filter((status) => status !== 429 && status !== 200)).toEqual([]);
    Object.assign(expected, {
      requests: 20 + 3 + 4 + 2 + BRONZE_PER_MINUTE + 5,
      status2xx: 20 + BRONZE_PER_MINUTE + 5 - throttled,
      status4xx: 4 + 2 + throttled,
      status5xx: 3,
      status401: 4,
      status403: 2,
      throttled,
    });

    await worker.tick();
    expect(await totals(trafficMinutes)).toMatchObject({ ...expected, latencyCount: expected.requests });
    expect(await totals(trafficHours)).toMatchObject({ ...expected, latencyCount: expected.requests });
    const perApplication = {
      [GOLD_APP]: { requests: 25, errors: 5, throttled: 0 },
      [BRONZE_APP]: { requests: BRONZE_PER_MINUTE + 5, errors: throttled, throttled },
    };
    expect(await applicationTotals(applicationTrafficMinutes)).toEqual(perApplication);
    expect(await applicationTotals(applicationTrafficHours)).toEqual(perApplication);
    const [scrape] = await database.db.select().from(gatewayScrapes).where(eq(gatewayScrapes.apiId, apiId));
    expect(scrape).toMatchObject({ clusterName: 'local', replicas: 1, lastFailure: null, leaseOwner: null });
    expect(scrape!.lastBytes).toBeGreaterThan(0);

    // The Traffic tab's figures, over an hour (minutes) and a week (hours), and only for the API's tenant.
    for (const range of ['hour', 'week'] as const) {
      const view = await trafficView(actor, apiId, { range });
      expect(view.totals).toMatchObject(expected);
      expect(view.points.reduce((sum, point) => sum + point.requests, 0)).toBe(expected.requests);
      expect(view.totals.p50Ms).toBeGreaterThan(0);
      expect(view.gateways).toEqual([expect.objectContaining({ clusterName: 'local', replicas: 1, failure: null })]);
    }
    await expect(trafficView({ ...actor, tenantId: randomUUID() }, apiId, { range: 'hour' })).rejects.toThrow(/not found/i);
    // The API list's 24 hours: the same total, and nothing for another tenant's publisher.
    expect((await dayOfTrafficByApi(actor, [apiId]))[apiId]!.reduce((a, b) => a + b, 0)).toBe(expected.requests);
    expect((await dayOfTrafficByApi({ ...actor, tenantId: randomUUID() }, [apiId]))[apiId]!.every((count) => count === 0)).toBe(true);
    await expect(trafficView({ ...actor, roles: ['subscriber'] }, apiId, { range: 'hour' })).rejects.toThrow();

    // Read again with nothing new: nothing is added.
    await sleep(250);
    await worker.tick();
    expect(await totals(trafficMinutes)).toMatchObject(expected);
  }, 120_000);

  it('adds only what came after a gateway restart: nothing negative, nothing counted twice', async () => {
    const worker = new TrafficWorker(settings());
    const [view] = await deploymentViews(actor, apiId);
    const pid = Number(/process (\d+)/.exec(view!.message ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    // The supervisor restarts it (after its back-off); until then a scrape fails and is recorded.
    let statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      await sleep(100);
      const [now] = await deploymentViews(actor, apiId);
      if (now?.status === 'ready' && !now.message?.includes(`process ${pid} `)) break;
    }
    for (let i = 0; i < 50 && !(statuses.length > 0 && statuses.every((s) => s === 200)); i++) {
      statuses = await send(1, { authorization: `Bearer ${await tokenFor(GOLD_APP, 'Gold')}` }).catch(() => []);
      if (statuses[0] !== 200) await sleep(100);
    }
    expect(statuses).toEqual([200]);
    expect(await send(6, { authorization: `Bearer ${await tokenFor(GOLD_APP, 'Gold')}` })).toEqual(new Array(6).fill(200));
    await sleep(250);
    await worker.tick();
    Object.assign(expected, { requests: expected.requests + 7, status2xx: expected.status2xx + 7 });
    const stored = await totals(trafficMinutes);
    expect(stored).toMatchObject(expected);
    expect(stored.smallest).toBeGreaterThanOrEqual(0);
    expect((await applicationTotals(applicationTrafficMinutes))[GOLD_APP]).toEqual({ requests: 32, errors: 5, throttled: 0 });
  }, 60_000);

  it('records a failed read with its reason, and keeps the figures', async () => {
    const [before] = await database.db.select().from(gatewayScrapes).where(eq(gatewayScrapes.apiId, apiId));
    // The cluster leaves deployment.toml: its gateway can no longer be reached.
    usePlatformClusters([]);
    const worker = new TrafficWorker(settings());
    await sleep(250);
    await worker.tick();
    const [after] = await database.db.select().from(gatewayScrapes).where(eq(gatewayScrapes.apiId, apiId));
    expect(after!.lastFailure).toMatch(/cluster "local" is no longer configured/);
    expect(after!.lastSuccessAt).toEqual(before!.lastSuccessAt);
    expect(after!.counters).toEqual(before!.counters);
    expect(await totals(trafficMinutes)).toMatchObject(expected);
  }, 30_000);
});

describe('two workers on one database', () => {
  it('read each gateway once per interval between them', async () => {
    const everyMs = 500;
    const results: ScrapeResult[] = [];
    const workers = [0, 1].map(() => new TrafficWorker(settings({ scrapeEveryMs: everyMs }), (result) => results.push(result)));
    await sleep(everyMs);
    const started = Date.now();
    // Both look far more often than the interval, at the same moments.
    while (Date.now() - started < 4 * everyMs) {
      await Promise.all(workers.map((worker) => worker.tick()));
      await sleep(25);
    }
    const windows = Math.floor((Date.now() - started) / everyMs);
    // Never more than once per interval; fewer only when the machine is too slow to look in time.
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.length).toBeLessThanOrEqual(windows + 1);
  }, 30_000);
});
