import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { db } from '../db/drizzle';
import {
  applicationTrafficHours,
  applicationTrafficMinutes,
  gatewayScrapes,
  trafficHours,
  trafficMinutes,
  type GatewayCounterSnapshot,
} from '../db/schema';
import { isEmptyIncrement, type TrafficIncrement } from './gateway-counters';
import { heldBy, type ClaimedScrape } from './traffic-jobs';
import type { TrafficSettings } from './traffic-settings';

/**
 * Writes one successful scrape: the gateway's new counters and the increment since the last
 * ones, added to the minute and the hour of the scrape (database time), in one transaction that
 * only commits while the scrape's lease is held — a lost lease writes nothing, so no increment
 * is ever added twice.
 */

export interface ScrapeOutcome {
  counters: Record<string, GatewayCounterSnapshot>;
  increment: TrafficIncrement;
  durationMs: number;
  bytes: number;
}

/** `column = column + excluded.column` for each figure, and the histogram bucket by bucket. */
function addedFigures(table: typeof trafficMinutes | typeof trafficHours): Record<string, SQL> {
  const add = (column: string) => sql.raw(`"${getTableName(table)}"."${column}" + excluded."${column}"`);
  return {
    requests: add('requests'),
    status2xx: add('status_2xx'),
    status3xx: add('status_3xx'),
    status4xx: add('status_4xx'),
    status5xx: add('status_5xx'),
    status401: add('status_401'),
    status403: add('status_403'),
    throttled: add('throttled'),
    latencySumMs: add('latency_sum_ms'),
    latencyBuckets: sql.raw(`array(select a + b from unnest("${getTableName(table)}"."latency_buckets", excluded."latency_buckets") with ordinality as x(a, b, i) order by i)`),
  };
}

const addedApplicationFigures = (table: typeof applicationTrafficMinutes | typeof applicationTrafficHours) =>
  Object.fromEntries(['requests', 'errors', 'throttled'].map((column) => [column, sql.raw(`"${getTableName(table)}"."${column}" + excluded."${column}"`)]));

const truncated = (unit: 'minute' | 'hour') => sql<Date>`date_trunc(${unit}, now())`;

export async function recordScrapeSuccess(scrape: ClaimedScrape, owner: string, outcome: ScrapeOutcome): Promise<boolean> {
  const { increment } = outcome;
  return (await db()).transaction(async (tx) => {
    const held = await tx
      .update(gatewayScrapes)
      .set({
        counters: outcome.counters,
        replicas: Object.keys(outcome.counters).length,
        lastSuccessAt: sql`now()`,
        lastDurationMs: Math.round(outcome.durationMs),
        lastBytes: outcome.bytes,
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .where(heldBy(scrape, owner))
      .returning({ apiId: gatewayScrapes.apiId });
    if (held.length !== 1) return false;
    if (isEmptyIncrement(increment)) return true;
    const figures = {
      requests: increment.requests,
      status2xx: increment.status2xx,
      status3xx: increment.status3xx,
      status4xx: increment.status4xx,
      status5xx: increment.status5xx,
      status401: increment.status401,
      status403: increment.status403,
      throttled: increment.throttled,
      latencyBuckets: increment.latencyBuckets,
      latencySumMs: increment.latencySumMs,
    };
    const where = { tenantId: scrape.tenantId, apiId: scrape.apiId, clusterName: scrape.clusterName };
    for (const [table, unit] of [
      [trafficMinutes, 'minute'],
      [trafficHours, 'hour'],
    ] as const) {
      if (increment.requests === 0) break;
      await tx
        .insert(table)
        .values({ ...where, bucket: truncated(unit), ...figures })
        .onConflictDoUpdate({ target: [table.apiId, table.bucket, table.clusterName], set: addedFigures(table) });
    }
    const applications = Object.entries(increment.applications);
    if (applications.length === 0) return true;
    for (const [table, unit] of [
      [applicationTrafficMinutes, 'minute'],
      [applicationTrafficHours, 'hour'],
    ] as const) {
      await tx
        .insert(table)
        .values(applications.map(([applicationId, row]) => ({ tenantId: scrape.tenantId, apiId: scrape.apiId, applicationId, bucket: truncated(unit), ...row })))
        .onConflictDoUpdate({ target: [table.applicationId, table.apiId, table.bucket], set: addedApplicationFigures(table) });
    }
    return true;
  });
}

/** Removes minutes and hours older than their retention. */
export async function removeExpiredTraffic(settings: Pick<TrafficSettings, 'minuteRetentionDays' | 'hourRetentionDays'>): Promise<void> {
  const database = await db();
  const tables: Array<[PgTable, number]> = [
    [trafficMinutes, settings.minuteRetentionDays],
    [applicationTrafficMinutes, settings.minuteRetentionDays],
    [trafficHours, settings.hourRetentionDays],
    [applicationTrafficHours, settings.hourRetentionDays],
  ];
  for (const [table, days] of tables) await database.execute(sql`delete from ${table} where bucket < now() - (${days}::integer * interval '1 day')`);
}
