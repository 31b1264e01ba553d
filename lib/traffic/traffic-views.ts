import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { requireRole, type Actor } from '../actor';
import { resolveTenantClusters } from '../clusters/clusters.service';
import { db } from '../db/drizzle';
import { apis, gatewayScrapes, trafficHours, trafficMinutes, TRAFFIC_LATENCY_BOUNDS_MS } from '../db/schema';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import { addBuckets, latencyPercentileMs } from './latency-percentiles';
import type { ResponseCounts, TrafficIncrement } from './gateway-counters';

/**
 * What the Traffic tab shows: an API's traffic over a range, per cluster or all together, from
 * the stored minutes (an hour, a day) or hours (a week), and how each cluster's gateways were
 * last read. Reads only the API's own rows (their key starts with the API id).
 */

export const TRAFFIC_RANGES = {
  hour: { label: 'Last hour', spanMs: 60 * 60_000, stepMs: 60_000, grain: 'minute' },
  day: { label: 'Last 24 hours', spanMs: 24 * 60 * 60_000, stepMs: 15 * 60_000, grain: 'minute' },
  week: { label: 'Last 7 days', spanMs: 7 * 24 * 60 * 60_000, stepMs: 60 * 60_000, grain: 'hour' },
} as const;
export type TrafficRange = keyof typeof TRAFFIC_RANGES;

export function isTrafficRange(value: unknown): value is TrafficRange {
  return typeof value === 'string' && Object.hasOwn(TRAFFIC_RANGES, value);
}

export interface TrafficFigures extends ResponseCounts {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface TrafficPoint extends TrafficFigures {
  /** Start of the step (ISO). */
  at: string;
  /** Requests per minute over the step. */
  perMinute: number;
}

export interface GatewayReadStatus {
  clusterName: string;
  displayName: string;
  /** Gateway processes (replicas) that answered the last read. */
  replicas: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** Why the last read failed, when it failed after the last success. */
  failure: string | null;
}

export interface TrafficView {
  range: TrafficRange;
  cluster: string | null;
  stepMs: number;
  points: TrafficPoint[];
  totals: TrafficFigures;
  gateways: GatewayReadStatus[];
}

/** The figures of one step (or of several added up), as the database sums them. */
type StepRow = { at: Date } & Omit<TrafficIncrement, 'latencySumMs' | 'applications'>;

const FIGURE_COLUMNS = ['requests', 'status2xx', 'status3xx', 'status4xx', 'status5xx', 'status401', 'status403', 'throttled'] as const;

function figuresOf(rows: StepRow[]): TrafficFigures {
  const sum = (key: (typeof FIGURE_COLUMNS)[number]) => rows.reduce((total, row) => total + row[key], 0);
  const buckets = new Array<number>(TRAFFIC_LATENCY_BOUNDS_MS.length + 1).fill(0);
  for (const row of rows) addBuckets(buckets, row.latencyBuckets);
  return {
    requests: sum('requests'),
    status2xx: sum('status2xx'),
    status3xx: sum('status3xx'),
    status4xx: sum('status4xx'),
    status5xx: sum('status5xx'),
    status401: sum('status401'),
    status403: sum('status403'),
    throttled: sum('throttled'),
    p50Ms: latencyPercentileMs(buckets, 0.5),
    p95Ms: latencyPercentileMs(buckets, 0.95),
    p99Ms: latencyPercentileMs(buckets, 0.99),
  };
}

/** The API's figures summed per step in the database: at most a few hundred rows cross, whatever the range. */
async function stepRows(table: typeof trafficMinutes | typeof trafficHours, apiId: string, start: number, stepMs: number, cluster: string | null): Promise<StepRow[]> {
  // Literal text (stepMs is one of TRAFFIC_RANGES' numbers), so the grouped expression matches the selected one.
  const at = sql<Date>`date_bin(${sql.raw(`'${Math.round(stepMs)} milliseconds'::interval`)}, ${table.bucket}, ${sql.raw("'epoch'::timestamptz")})`;
  const rows = await (await db())
    .select({
      at,
      ...Object.fromEntries(FIGURE_COLUMNS.map((column) => [column, sql<number>`sum(${table[column]})::int`])),
      latencyBuckets: sql<number[]>`array[${sql.join(
        TRAFFIC_LATENCY_BOUNDS_MS.map((_, i) => sql`coalesce(sum(${table.latencyBuckets}[${sql.raw(String(i + 1))}]), 0)::int`).concat(
          sql`coalesce(sum(${table.latencyBuckets}[${sql.raw(String(TRAFFIC_LATENCY_BOUNDS_MS.length + 1))}]), 0)::int`,
        ),
        sql`, `,
      )}]`,
    })
    .from(table)
    .where(and(eq(table.apiId, apiId), gte(table.bucket, new Date(start)), cluster ? eq(table.clusterName, cluster) : undefined))
    .groupBy(at);
  return rows.map((row) => ({ ...(row as unknown as StepRow), at: new Date(row.at as unknown as string | Date) }));
}

export async function trafficView(actor: Actor, apiId: string, options: { range: TrafficRange; cluster?: string | null; now?: Date }): Promise<TrafficView> {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That API');
  const database = await db();
  const [api] = await database.select({ id: apis.id }).from(apis).where(and(eq(apis.id, apiId), eq(apis.tenantId, actor.tenantId)));
  if (!api) throw notFound('That API');
  const { spanMs, stepMs, grain } = TRAFFIC_RANGES[options.range];
  const table = grain === 'minute' ? trafficMinutes : trafficHours;
  const now = options.now ?? new Date();
  // Whole steps, the current one last: the chart's points do not shift within a step.
  const end = Math.floor(now.getTime() / stepMs) * stepMs + stepMs;
  const start = end - Math.ceil(spanMs / stepMs) * stepMs;
  const cluster = options.cluster ?? null;
  const [rows, scrapes, clusters] = await Promise.all([
    stepRows(table, apiId, start, stepMs, cluster),
    database.select().from(gatewayScrapes).where(eq(gatewayScrapes.apiId, apiId)),
    resolveTenantClusters(actor),
  ]);
  const byStep = new Map(rows.map((row) => [row.at.getTime(), row]));
  const points: TrafficPoint[] = [];
  for (let at = start; at < end; at += stepMs) {
    const row = byStep.get(at);
    const figures = figuresOf(row ? [row] : []);
    points.push({ at: new Date(at).toISOString(), perMinute: figures.requests / (stepMs / 60_000), ...figures });
  }
  return {
    range: options.range,
    cluster,
    stepMs,
    points,
    totals: figuresOf(rows),
    gateways: scrapes
      .map((scrape) => ({
        clusterName: scrape.clusterName,
        displayName: clusters.find((c) => c.definition.clusterName === scrape.clusterName)?.definition.displayName ?? scrape.clusterName,
        replicas: scrape.replicas,
        lastSuccessAt: scrape.lastSuccessAt?.toISOString() ?? null,
        lastFailureAt: scrape.lastFailureAt?.toISOString() ?? null,
        failure: scrape.lastFailureAt && (!scrape.lastSuccessAt || scrape.lastFailureAt > scrape.lastSuccessAt) ? scrape.lastFailure : null,
      }))
      .sort((a, b) => a.clusterName.localeCompare(b.clusterName)),
  };
}


/** Requests per hour over the last 24 hours (oldest first), for each of the publisher's listed APIs. */
export async function dayOfTrafficByApi(actor: Actor, apiIds: string[], now: Date = new Date()): Promise<Record<string, number[]>> {
  requireRole(actor, 'publisher');
  const ids = apiIds.filter(isUuid);
  if (ids.length === 0) return {};
  const hourMs = 60 * 60_000;
  const end = Math.floor(now.getTime() / hourMs) * hourMs + hourMs;
  const start = end - 24 * hourMs;
  const rows = await (await db())
    .select({ apiId: trafficHours.apiId, bucket: trafficHours.bucket, requests: sql<number>`sum(${trafficHours.requests})::int` })
    .from(trafficHours)
    .where(and(eq(trafficHours.tenantId, actor.tenantId), inArray(trafficHours.apiId, ids), gte(trafficHours.bucket, new Date(start))))
    .groupBy(trafficHours.apiId, trafficHours.bucket);
  const series: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, new Array<number>(24).fill(0)]));
  for (const row of rows) {
    const index = Math.floor((row.bucket.getTime() - start) / hourMs);
    if (index >= 0 && index < 24) series[row.apiId]![index]! += row.requests;
  }
  return series;
}
