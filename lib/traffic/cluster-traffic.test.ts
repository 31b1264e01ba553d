import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import type { DatabaseHandle } from '../db/drizzle';
import { deployments, gatewayScrapes, trafficMinutes } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { seedPublisherWithApi, usePlatformClusters } from '../test-support/deployments';
import { clusterTrafficOverview, type ClusterTrafficOverview } from './cluster-traffic';

/**
 * The admin's Traffic page on a real database, with scrape rows and minute figures written
 * directly (no gateway needed to say what was read): the figures per cluster over an hour and a
 * day, the up/down rule, and whose gateways each admin sees on a cluster shared by tenants.
 */

const EVERY_MS = 30_000;
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let database: DatabaseHandle;
const admins: Record<'platform' | 'example' | 'other', Actor> = {} as never;
const api: Record<'platform' | 'example' | 'other', { id: string; tenantId: string }> = {} as never;

const cluster = (type: 'Local' | 'Kubernetes', clusterName: string, displayName: string, shared?: string): ClusterDefinition => ({
  type,
  clusterName,
  displayName,
  properties: {
    AccessURL: `https://${clusterName}.test`,
    MasterURL: type === 'Local' ? '' : 'https://127.0.0.1:9',
    SAToken: type === 'Local' ? '' : 'x',
    Namespace: 'default',
    Replicas: 1,
    ...(shared ? { SharedWithTenants: shared } : {}),
    extra: {},
  },
});

function figures(requests: number, status4xx = 0, status5xx = 0, throttled = 0) {
  return { requests, status2xx: requests - status4xx - status5xx, status4xx, status5xx, throttled, latencyBuckets: new Array(12).fill(0), latencySumMs: 0 };
}

const overview = (actor: Actor, now = NOW) => clusterTrafficOverview(actor, { now, scrapeEveryMs: EVERY_MS });
const byName = (view: ClusterTrafficOverview) => Object.fromEntries(view.clusters.map((c) => [c.clusterName, c]));

beforeAll(async () => {
  database = await freshTestDatabase();
  usePlatformClusters([cluster('Local', 'local', 'Local', '*'), cluster('Kubernetes', 'shared', 'Shared', 'example.com,other.org'), cluster('Kubernetes', 'private', 'Platform only')]);
  for (const [key, tenantDomain] of [
    ['platform', 'carbon.super'],
    ['example', 'example.com'],
    ['other', 'other.org'],
  ] as const) {
    const seeded = await seedPublisherWithApi(database.db, { tenantDomain, context: `/${key}`, endpoint: 'http://127.0.0.1:9' });
    api[key] = { id: seeded.apiId, tenantId: seeded.actor.tenantId };
    admins[key] = { ...seeded.actor, roles: ['admin'] };
  }
  const scrape = (key: keyof typeof api, clusterName: string, row: Partial<typeof gatewayScrapes.$inferInsert>) => ({
    tenantId: api[key].tenantId,
    apiId: api[key].id,
    clusterName,
    dueAt: ago(HOUR),
    ...row,
  });
  const rows = [
    ['platform', 'local', 'ready'],
    ['example', 'local', 'ready'],
    ['example', 'shared', 'applying'],
    ['other', 'shared', 'ready'],
    ['other', 'local', 'ready'],
    ['platform', 'private', 'waiting'],
    // A failed deployment keeps its scrape row (and counters), but has no gateway to report.
    ['platform', 'shared', 'failed'],
  ] as const;
  await database.db
    .insert(deployments)
    .values(rows.map(([key, clusterName, status]) => ({ tenantId: api[key].tenantId, apiId: api[key].id, clusterName, status })));
  await database.db.insert(gatewayScrapes).values([
    scrape('platform', 'shared', { replicas: 1, lastSuccessAt: ago(HOUR), lastFailureAt: ago(HOUR - MINUTE), lastFailure: 'pod proxy: 503' }),
    scrape('platform', 'local', { replicas: 1, lastSuccessAt: ago(10_000) }),
    // Read well until 20 s ago, failed 5 s ago: down, whatever came before.
    scrape('example', 'local', { replicas: 1, lastSuccessAt: ago(20_000), lastFailureAt: ago(5_000), lastFailure: 'connection refused at 127.0.0.1:8243' }),
    scrape('example', 'shared', { replicas: 3, lastSuccessAt: ago(15_000) }),
    scrape('other', 'shared', { replicas: 2, lastSuccessAt: ago(15_000) }),
    // Last read 10 minutes ago, nothing since: down, with no reason to give.
    scrape('other', 'local', { replicas: 1, lastSuccessAt: ago(10 * MINUTE) }),
    // Just deployed, not read yet.
    scrape('platform', 'private', { dueAt: ago(10_000) }),
  ]);
  const minute = (key: keyof typeof api, clusterName: string, at: Date, row: ReturnType<typeof figures>) => ({
    tenantId: api[key].tenantId,
    apiId: api[key].id,
    clusterName,
    bucket: new Date(Math.floor(at.getTime() / MINUTE) * MINUTE),
    ...row,
  });
  await database.db.insert(trafficMinutes).values([
    minute('platform', 'local', ago(5 * MINUTE), figures(10, 2, 1, 1)),
    minute('example', 'local', ago(3 * HOUR), figures(7, 7)),
    minute('example', 'local', ago(25 * HOUR), figures(1000)),
    minute('example', 'shared', ago(30 * MINUTE), figures(5)),
    minute('other', 'shared', ago(2 * MINUTE), figures(100, 0, 4)),
  ]);
});

afterAll(async () => {
  await database?.close();
});

describe('the admin Traffic page', () => {
  it('gives the super tenant admin every tenant’s gateways on the platform clusters, with the figures of the last hour and day', async () => {
    const view = await overview(admins.platform);
    expect(view.allTenants).toBe(true);
    expect(view.staleAfterMs).toBe(3 * EVERY_MS);
    expect(view.clusters.map((c) => c.displayName)).toEqual(['Local', 'Platform only', 'Shared']);
    const { local, shared, private: platformOnly } = byName(view);
    expect(local).toMatchObject({
      gateways: { up: 1, down: 2, waiting: 0 },
      replicas: 1,
      lastHour: { requests: 10, errors: 3, throttled: 1 },
      lastDay: { requests: 17, errors: 10, throttled: 1 },
    });
    expect(local!.unread).toEqual([
      expect.objectContaining({ apiId: api.example.id, apiName: 'PetStore', apiVersion: '1.0.0', tenantDomain: 'example.com', reason: 'connection refused at 127.0.0.1:8243' }),
      expect.objectContaining({ apiId: api.other.id, tenantDomain: 'other.org', reason: null }),
    ]);
    expect(shared).toMatchObject({ gateways: { up: 2, down: 0, waiting: 0 }, replicas: 5, lastHour: { requests: 105, errors: 4 }, lastDay: { requests: 105 }, unread: [] });
    expect(platformOnly).toMatchObject({ gateways: { up: 0, down: 0, waiting: 1 }, replicas: 0, lastDay: { requests: 0 } });
  });

  it('gives a tenant admin only their tenant’s gateways, never another tenant’s on a shared cluster', async () => {
    const example = byName(await overview(admins.example));
    expect(Object.keys(example).sort()).toEqual(['local', 'shared']);
    expect(example.local).toMatchObject({ gateways: { up: 0, down: 1, waiting: 0 }, replicas: 0, lastHour: { requests: 0 }, lastDay: { requests: 7, errors: 7 } });
    expect(example.local!.unread.map((g) => g.tenantDomain)).toEqual(['example.com']);
    expect(example.shared).toMatchObject({ gateways: { up: 1, down: 0 }, replicas: 3, lastHour: { requests: 5, errors: 0 } });

    const other = byName(await overview(admins.other));
    expect(other.local).toMatchObject({ gateways: { up: 0, down: 1 }, lastDay: { requests: 0 } });
    expect(other.local!.unread).toEqual([expect.objectContaining({ apiId: api.other.id, reason: null })]);
    expect(other.shared).toMatchObject({ gateways: { up: 1 }, replicas: 2, lastHour: { requests: 100, errors: 4 } });
  });

  it('calls a gateway down once its last good read is older than three intervals, and a never-read one down once overdue as long', async () => {
    const later = byName(await overview(admins.platform, new Date(NOW.getTime() + 3 * EVERY_MS - 10_000 - 1)));
    expect(later.local!.gateways.up).toBe(1);
    expect(later.private!.gateways.waiting).toBe(1);
    const stale = byName(await overview(admins.platform, new Date(NOW.getTime() + 3 * EVERY_MS)));
    expect(stale.local!.gateways).toEqual({ up: 0, down: 3, waiting: 0 });
    expect(stale.local!.unread.find((g) => g.apiId === api.platform.id)).toMatchObject({ reason: null });
    expect(stale.private!.gateways).toEqual({ up: 0, down: 1, waiting: 0 });
  });

  it('refuses anyone but an admin', async () => {
    await expect(clusterTrafficOverview({ ...admins.example, roles: ['publisher'] })).rejects.toThrow();
  });
});
