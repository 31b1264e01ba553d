import { and, asc, eq, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { deployments, gatewayScrapes, type GatewayCounterSnapshot } from '../db/schema';

/**
 * The scrape queue is the gateway_scrapes table, leased as the deployment engine leases its
 * records (lib/deployments/deployment-jobs.ts): a replica claims due rows with `FOR UPDATE SKIP
 * LOCKED` and moves their due time one interval on in the same statement, so with several
 * replicas each gateway is read once per interval; every write names the lease it claimed.
 * Times are the database's.
 */

/** Deployment states in which a gateway may be answering (a re-apply leaves the old one serving). */
export const SCRAPED_STATUSES = ['ready', 'applying', 'waiting'] as const;

export interface ClaimedScrape {
  tenantId: string;
  apiId: string;
  clusterName: string;
  counters: Record<string, GatewayCounterSnapshot>;
}

const later = (ms: number): SQL => sql`now() + (${Math.max(0, Math.round(ms))}::integer * interval '1 millisecond')`;

/**
 * A row for every deployment with a gateway, and none for a deployment that is gone. A row lives
 * as long as its deployment record: its counters are what the next increment is taken against.
 */
export async function syncScrapeTargets(): Promise<void> {
  const database = await db();
  const scraped = sql.join(SCRAPED_STATUSES.map((status) => sql`${status}`), sql`, `);
  await database.execute(
    sql`insert into ${gatewayScrapes} (tenant_id, api_id, cluster_name)
        select ${deployments.tenantId}, ${deployments.apiId}, ${deployments.clusterName} from ${deployments}
        where ${deployments.status} in (${scraped})
        on conflict do nothing`,
  );
  await database
    .delete(gatewayScrapes)
    .where(
      sql`not exists (select 1 from ${deployments} where ${deployments.apiId} = ${gatewayScrapes.apiId} and ${deployments.clusterName} = ${gatewayScrapes.clusterName})`,
    );
}

const leaseFree = or(isNull(gatewayScrapes.leaseOwner), lte(gatewayScrapes.leaseExpiresAt, sql`now()`));

/** Claims up to `limit` due gateways for `owner`, most overdue first, and schedules their next read. */
export async function claimDueScrapes(owner: string, limit: number, leaseMs: number, everyMs: number): Promise<ClaimedScrape[]> {
  if (limit <= 0) return [];
  const database = await db();
  const due = database
    .select({ apiId: gatewayScrapes.apiId, clusterName: gatewayScrapes.clusterName })
    .from(gatewayScrapes)
    .innerJoin(deployments, and(eq(deployments.apiId, gatewayScrapes.apiId), eq(deployments.clusterName, gatewayScrapes.clusterName)))
    .where(and(leaseFree, lte(gatewayScrapes.dueAt, sql`now()`), inArray(deployments.status, [...SCRAPED_STATUSES])))
    .orderBy(asc(gatewayScrapes.dueAt))
    .limit(limit)
    .for('update', { of: gatewayScrapes, skipLocked: true });
  return database
    .update(gatewayScrapes)
    .set({ leaseOwner: owner, leaseExpiresAt: later(leaseMs), dueAt: later(everyMs) })
    .where(and(sql`(${gatewayScrapes.apiId}, ${gatewayScrapes.clusterName}) in ${due}`, leaseFree, lte(gatewayScrapes.dueAt, sql`now()`)))
    .returning({ tenantId: gatewayScrapes.tenantId, apiId: gatewayScrapes.apiId, clusterName: gatewayScrapes.clusterName, counters: gatewayScrapes.counters });
}

export function heldBy(scrape: Pick<ClaimedScrape, 'apiId' | 'clusterName'>, owner: string): SQL | undefined {
  return and(eq(gatewayScrapes.apiId, scrape.apiId), eq(gatewayScrapes.clusterName, scrape.clusterName), eq(gatewayScrapes.leaseOwner, owner));
}

/** A failed read: recorded for people, the counters kept for the next success. False: the lease was lost. */
export async function recordScrapeFailure(scrape: ClaimedScrape, owner: string, reason: string, durationMs: number): Promise<boolean> {
  const written = await (await db())
    .update(gatewayScrapes)
    .set({ lastFailureAt: sql`now()`, lastFailure: reason.slice(0, 1000), lastDurationMs: Math.round(durationMs), leaseOwner: null, leaseExpiresAt: null })
    .where(heldBy(scrape, owner))
    .returning({ apiId: gatewayScrapes.apiId });
  return written.length === 1;
}

/** Lets go of every lease of `owner` (it stops), so another replica need not wait for them to run out. */
export async function releaseScrapeLeases(owner: string): Promise<void> {
  await (await db()).update(gatewayScrapes).set({ leaseOwner: null, leaseExpiresAt: null }).where(eq(gatewayScrapes.leaseOwner, owner));
}
