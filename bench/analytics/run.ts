// Traffic analytics: what one scrape of a gateway costs (time to read, parse and take the increment;
// bytes read; time to store it), with few and with the most applications a gateway counts one by
// one; and the Traffic tab's server time (trafficView) with APIS APIs × DAYS days of minute rollups
// in the same database. Prints p50/p95; not part of the tests. Design target: Traffic tab p95 < 200 ms.
//
//   npx tsx bench/analytics/run.ts                              (embedded PGlite, in memory)
//   DATABASE_URL=postgres://… npx tsx bench/analytics/run.ts    (a PostgreSQL server; a throwaway database is made)
//
// APIS=1000 DAYS=7 ROUNDS=100 by default. Needs the machine's haproxy.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { setPlatformClusterConfig } from '../../lib/clusters/platform-config';
import { DEFAULT_MANAGERS } from '../../lib/clusters/container-managers';
import { HOST_HAPROXY } from '../../lib/containers/local/haproxy-process';
import { apis, gatewayScrapes, tenants, users } from '../../lib/db/schema';
import { freshTestDatabase } from '../../lib/test-support/test-database';
import { createSigningKey, signToken, startTestGateway, testSpec, tokenClaims } from '../../lib/test-support/gateway-harness';
import { startTestBackend } from '../../lib/test-support/test-backend';
import { parseTrafficExposition, trafficIncrement, TRAFFIC_METRICS_PATH } from '../../lib/traffic/gateway-counters';
import { recordScrapeSuccess } from '../../lib/traffic/traffic-store';
import { trafficView, type TrafficRange } from '../../lib/traffic/traffic-views';
import { percentile } from '../support';

const apiCount = Number(process.env.APIS ?? 1000);
const days = Number(process.env.DAYS ?? 7);
const rounds = Number(process.env.ROUNDS ?? 100);
const CLUSTER = 'local';

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const database = await freshTestDatabase();
  setPlatformClusterConfig({ clusters: [], managers: DEFAULT_MANAGERS, warnings: [] });
  const [tenant] = await database.db.insert(tenants).values({ domain: 'bench.example', displayName: 'Bench' }).returning();
  const [user] = await database.db
    .insert(users)
    .values({ tenantId: tenant!.id, username: 'pub', displayName: 'pub', passwordHash: 'unused', roles: ['publisher'] })
    .returning();
  const actor: Actor = { userId: user!.id, username: 'pub', displayName: 'pub', roles: ['publisher'], tenantId: tenant!.id, tenantDomain: tenant!.domain };
  const apiIds: string[] = [];
  for (let start = 0; start < apiCount; start += 500) {
    const rows = Array.from({ length: Math.min(500, apiCount - start) }, (_, offset) => ({
      tenantId: tenant!.id,
      name: `Api ${start + offset}`,
      version: '1.0.0',
      context: `/api-${start + offset}`,
      state: 'PUBLISHED' as const,
      productionEndpoints: ['http://backend.internal'],
      openapi: { openapi: '3.0.3', info: { title: 'x', version: '1.0.0' }, paths: {} },
      security: { oauth2: true, basic: false },
      tiers: ['Gold'],
      cors: { enabled: false, allowedOrigins: [] },
    }));
    apiIds.push(...(await database.db.insert(apis).values(rows).returning({ id: apis.id })).map((row) => row.id));
  }

  // Every minute of DAYS days for every API, and the hours: what a week of scraping leaves behind.
  const seedStarted = performance.now();
  const minutes = days * 24 * 60;
  for (let i = 0; i < apiIds.length; i += 20) {
    const batch = sql.join(apiIds.slice(i, i + 20).map((id) => sql`${id}::uuid`), sql`, `);
    await database.db.execute(sql`
      insert into traffic_minutes (tenant_id, api_id, cluster_name, bucket, requests, status_2xx, status_4xx, status_5xx, status_401, status_403, throttled, latency_buckets, latency_sum_ms)
      select ${tenant!.id}::uuid, a, ${CLUSTER}, date_trunc('minute', now()) - (m * interval '1 minute'), 60 + m % 40, 50 + m % 40, 8, 2, 3, 2, 1,
             array[20, 15, 10, 8, 4, 2, 1, 0, 0, 0, 0, 0], 1500
      from unnest(array[${batch}]) as a, generate_series(0, ${minutes - 1}) as m`);
    await database.db.execute(sql`
      insert into traffic_hours (tenant_id, api_id, cluster_name, bucket, requests, status_2xx, status_4xx, status_5xx, status_401, status_403, throttled, latency_buckets, latency_sum_ms)
      select ${tenant!.id}::uuid, a, ${CLUSTER}, date_trunc('hour', now()) - (h * interval '1 hour'), 4800, 4000, 480, 120, 180, 120, 60,
             array[1200, 900, 600, 480, 240, 120, 60, 0, 0, 0, 0, 0], 90000
      from unnest(array[${batch}]) as a, generate_series(0, ${days * 24 - 1}) as h`);
  }
  await database.db.execute(sql`analyze`);
  const [{ count } = { count: 0 }] = (await database.db.execute<{ count: number }>(sql`select count(*)::int as count from traffic_minutes`)) as unknown as { count: number }[];
  console.log(
    `seeded ${apiCount} APIs × ${days} days of minute rollups (${(count || apiCount * minutes).toLocaleString()} minute rows) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`,
  );

  // The Traffic tab: the figures it asks for, for APIs picked at random, per range.
  for (const range of ['hour', 'day', 'week'] as TrafficRange[]) {
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const apiId = apiIds[Math.floor(Math.random() * apiIds.length)]!;
      const started = performance.now();
      const view = await trafficView(actor, apiId, { range });
      times.push(performance.now() - started);
      if (view.totals.requests === 0) throw new Error('no traffic read back');
    }
    console.log(`Traffic tab, ${range.padEnd(4)}: p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))} (${rounds} rounds; target p95 < 200 ms)`);
  }

  // One gateway's scrape: a real HAProxy gateway that has counted APPS applications.
  const backend = await startTestBackend();
  const key = await createSigningKey('bench-key');
  for (const applications of [10, 1000]) {
    const gateway = await startTestGateway(HOST_HAPROXY, testSpec(backend.url, [key]));
    try {
      for (let i = 0; i < applications; i++) {
        const token = await signToken(key, tokenClaims({ applicationId: randomUUID() }));
        await (await fetch(`${gateway.url}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
      }
      const apiId = apiIds[0]!;
      await database.db.delete(gatewayScrapes);
      await database.db.insert(gatewayScrapes).values({ tenantId: tenant!.id, apiId, clusterName: CLUSTER });
      let previous = {};
      const reads: number[] = [];
      const stores: number[] = [];
      let bytes = 0;
      for (let round = 0; round < Math.min(rounds, 50); round++) {
        const started = performance.now();
        const text = await (await fetch(`${gateway.url}${TRAFFIC_METRICS_PATH}`)).text();
        const current = { local: parseTrafficExposition(text) };
        const increment = trafficIncrement(previous, current);
        const read = performance.now() - started;
        bytes = Buffer.byteLength(text);
        await database.db.update(gatewayScrapes).set({ leaseOwner: 'bench' });
        const storeStarted = performance.now();
        await recordScrapeSuccess({ tenantId: tenant!.id, apiId, clusterName: CLUSTER, counters: previous }, 'bench', { counters: current, increment, durationMs: read, bytes });
        stores.push(performance.now() - storeStarted);
        reads.push(read);
        previous = current;
      }
      console.log(
        `scrape of one gateway with ${String(applications).padStart(4)} applications: ${bytes.toLocaleString()} bytes; read+parse+increment p50 ${ms(percentile(reads, 50))}, p95 ${ms(percentile(reads, 95))}; store p50 ${ms(percentile(stores, 50))}, p95 ${ms(percentile(stores, 95))}`,
      );
    } finally {
      await gateway.stop();
    }
  }
  await backend.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
