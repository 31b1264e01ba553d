import { and, desc, eq, gte, inArray, or, sql, type SQL } from 'drizzle-orm';
import { isSuperTenantAdmin, requireRole, type Actor } from '../actor';
import { resolveTenantClusters, type ClusterSource } from '../clusters/clusters.service';
import { db } from '../db/drizzle';
import { apis, deployments, gatewayScrapes, tenants, trafficMinutes } from '../db/schema';
import { SCRAPED_STATUSES } from './traffic-jobs';
import { trafficSettingsFromEnv } from './traffic-settings';

/**
 * The admin's Traffic page: per cluster the admin may see, how its gateways were last read and
 * what they answered over the last hour and day.
 *
 * Whose gateways: a tenant admin sees only their own tenant's gateways — on the tenant's own
 * clusters and on the platform clusters shared with it, never another tenant's gateway on a
 * shared cluster. The super tenant's admin sees every tenant's gateways on the platform's
 * clusters (deployment.toml) and the super tenant's own. Everything is counted and summed in
 * the database; only the unread gateways are listed, at most {@link MAX_UNREAD_LISTED}.
 *
 * The up/down rule: a gateway is **up** when its last read succeeded (no failure since) within
 * {@link STALE_AFTER_INTERVALS} scrape intervals; **waiting** when it was never read and became
 * due less than that long ago (just deployed); otherwise **down** (unread) — its last read
 * failed, or no read succeeded for that long (e.g. no replica is reading).
 */

export const STALE_AFTER_INTERVALS = 3;
export const MAX_UNREAD_LISTED = 200;

export type GatewayState = 'up' | 'down' | 'waiting';

export interface TrafficTotals {
  requests: number;
  /** Answers with a 4xx or 5xx status, the throttled (429) ones included. */
  errors: number;
  throttled: number;
}

export interface UnreadGateway {
  clusterName: string;
  apiId: string;
  apiName: string;
  apiVersion: string;
  tenantDomain: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** The recorded reason of the last failed read; null when reads simply stopped. */
  reason: string | null;
}

export interface ClusterTraffic {
  clusterName: string;
  displayName: string;
  source: ClusterSource;
  gateways: { up: number; down: number; waiting: number };
  /** Gateway processes (pods; 1 per Local gateway) that answered the up gateways' last reads. */
  replicas: number;
  lastHour: TrafficTotals;
  lastDay: TrafficTotals;
  /** The down gateways, most recently failed first; `unreadListed` of `gateways.down` are here. */
  unread: UnreadGateway[];
}

export interface ClusterTrafficOverview {
  /** A read older than this (ms) leaves a gateway down. */
  staleAfterMs: number;
  /** Whether other tenants' gateways are included (the super tenant's admin). */
  allTenants: boolean;
  clusters: ClusterTraffic[];
}

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/** The state of a gateway_scrapes row, in SQL, so counting happens in the database. */
function stateOf(staleBefore: Date): SQL<GatewayState> {
  const s = gatewayScrapes;
  const before = sql`${staleBefore.toISOString()}::timestamptz`;
  return sql<GatewayState>`case
    when ${s.lastSuccessAt} >= ${before} and (${s.lastFailureAt} is null or ${s.lastFailureAt} <= ${s.lastSuccessAt}) then 'up'
    when ${s.lastSuccessAt} is null and ${s.lastFailureAt} is null and ${s.dueAt} >= ${before} then 'waiting'
    else 'down' end`;
}

/** Rows of the actor's own tenant on any cluster it sees, and for the super tenant's admin every tenant's on the platform clusters. */
function visibleRows(table: typeof gatewayScrapes | typeof trafficMinutes, actor: Actor, visible: string[], platform: string[]): SQL | undefined {
  const own = and(eq(table.tenantId, actor.tenantId), inArray(table.clusterName, visible));
  return isSuperTenantAdmin(actor) && platform.length > 0 ? or(own, inArray(table.clusterName, platform)) : own;
}

/**
 * Only gateways that should be answering: a scrape row outlives a failed or removed deployment
 * (its counters wait for the next one), but nothing reads it then, and it is no gateway to report.
 */
const hasGateway = sql`exists (select 1 from ${deployments} where ${deployments.apiId} = ${gatewayScrapes.apiId} and ${deployments.clusterName} = ${gatewayScrapes.clusterName} and ${deployments.status} in (${sql.join(
  SCRAPED_STATUSES.map((status) => sql`${status}`),
  sql`, `,
)}))`;

export async function clusterTrafficOverview(
  actor: Actor,
  options: { now?: Date; scrapeEveryMs?: number } = {},
): Promise<ClusterTrafficOverview> {
  requireRole(actor, 'admin');
  const now = options.now ?? new Date();
  const staleAfterMs = STALE_AFTER_INTERVALS * (options.scrapeEveryMs ?? trafficSettingsFromEnv().scrapeEveryMs);
  const clusters = await resolveTenantClusters(actor);
  const allTenants = isSuperTenantAdmin(actor);
  const overview: ClusterTrafficOverview = { staleAfterMs, allTenants, clusters: [] };
  if (clusters.length === 0) return overview;
  const visible = clusters.map((c) => c.definition.clusterName);
  const platform = clusters.filter((c) => c.source === 'deployment.toml').map((c) => c.definition.clusterName);
  const m = trafficMinutes;
  const staleBefore = new Date(now.getTime() - staleAfterMs);
  const hourStart = new Date(now.getTime() - HOUR_MS);
  const dayStart = new Date(now.getTime() - DAY_MS);
  const state = stateOf(staleBefore);
  const inLastHour = sql`${m.bucket} >= ${hourStart.toISOString()}::timestamptz`;
  const database = await db();

  const [states, figures, unread] = await Promise.all([
    database
      .select({
        clusterName: gatewayScrapes.clusterName,
        up: sql<number>`count(*) filter (where ${state} = 'up')::int`,
        down: sql<number>`count(*) filter (where ${state} = 'down')::int`,
        waiting: sql<number>`count(*) filter (where ${state} = 'waiting')::int`,
        replicas: sql<number>`coalesce(sum(${gatewayScrapes.replicas}) filter (where ${state} = 'up'), 0)::int`,
      })
      .from(gatewayScrapes)
      .where(and(visibleRows(gatewayScrapes, actor, visible, platform), hasGateway))
      .groupBy(gatewayScrapes.clusterName),
    database
      .select({
        clusterName: m.clusterName,
        hourRequests: sql<number>`coalesce(sum(${m.requests}) filter (where ${inLastHour}), 0)::int`,
        hourErrors: sql<number>`coalesce(sum(${m.status4xx} + ${m.status5xx}) filter (where ${inLastHour}), 0)::int`,
        hourThrottled: sql<number>`coalesce(sum(${m.throttled}) filter (where ${inLastHour}), 0)::int`,
        dayRequests: sql<number>`coalesce(sum(${m.requests}), 0)::int`,
        dayErrors: sql<number>`coalesce(sum(${m.status4xx} + ${m.status5xx}), 0)::int`,
        dayThrottled: sql<number>`coalesce(sum(${m.throttled}), 0)::int`,
      })
      .from(m)
      // Minute rows are kept for days, so the last 24 hours are exact to the minute (hour rows would round to the hour).
      .where(and(visibleRows(m, actor, visible, platform), gte(m.bucket, dayStart)))
      .groupBy(m.clusterName),
    database
      .select({
        clusterName: gatewayScrapes.clusterName,
        apiId: gatewayScrapes.apiId,
        apiName: apis.name,
        apiVersion: apis.version,
        tenantDomain: tenants.domain,
        lastSuccessAt: gatewayScrapes.lastSuccessAt,
        lastFailureAt: gatewayScrapes.lastFailureAt,
        lastFailure: gatewayScrapes.lastFailure,
      })
      .from(gatewayScrapes)
      .innerJoin(apis, eq(apis.id, gatewayScrapes.apiId))
      .innerJoin(tenants, eq(tenants.id, gatewayScrapes.tenantId))
      .where(and(visibleRows(gatewayScrapes, actor, visible, platform), hasGateway, sql`${state} = 'down'`))
      .orderBy(desc(sql`coalesce(${gatewayScrapes.lastFailureAt}, ${gatewayScrapes.lastSuccessAt}, ${gatewayScrapes.dueAt})`), apis.name, apis.version)
      .limit(MAX_UNREAD_LISTED),
  ]);

  const statesBy = new Map(states.map((row) => [row.clusterName, row]));
  const figuresBy = new Map(figures.map((row) => [row.clusterName, row]));
  overview.clusters = clusters
    .map(({ source, definition }): ClusterTraffic => {
      const counted = statesBy.get(definition.clusterName);
      const summed = figuresBy.get(definition.clusterName);
      return {
        clusterName: definition.clusterName,
        displayName: definition.displayName,
        source,
        gateways: { up: counted?.up ?? 0, down: counted?.down ?? 0, waiting: counted?.waiting ?? 0 },
        replicas: counted?.replicas ?? 0,
        lastHour: { requests: summed?.hourRequests ?? 0, errors: summed?.hourErrors ?? 0, throttled: summed?.hourThrottled ?? 0 },
        lastDay: { requests: summed?.dayRequests ?? 0, errors: summed?.dayErrors ?? 0, throttled: summed?.dayThrottled ?? 0 },
        unread: unread
          .filter((row) => row.clusterName === definition.clusterName)
          .map((row) => ({
            clusterName: row.clusterName,
            apiId: row.apiId,
            apiName: row.apiName,
            apiVersion: row.apiVersion,
            tenantDomain: row.tenantDomain,
            lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
            lastFailureAt: row.lastFailureAt?.toISOString() ?? null,
            // The reason only while it is the latest word on the gateway: after a later success, reads merely stopped.
            reason: row.lastFailureAt && (!row.lastSuccessAt || row.lastFailureAt > row.lastSuccessAt) ? row.lastFailure : null,
          })),
      };
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return overview;
}
