import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { deployments, type DeploymentStatus } from '../db/schema';

/**
 * The job queue is the deployments table itself: each (API, cluster) record is one job, and a
 * lease on the record says which replica works on it. A replica claims due records with
 * `FOR UPDATE SKIP LOCKED`, so two replicas never claim the same one; it renews its leases while
 * it works; every write of a job names the lease and the generation it claimed, so a replica that
 * lost its lease, or whose request was superseded, changes nothing. Times are the database's, so
 * replicas with skewed clocks agree on when a lease has run out.
 */

/** Statuses with work left to do: the job of a record in one of them is not finished. */
export const ACTIVE_STATUSES = ['pending', 'applying', 'waiting', 'undeploying'] as const satisfies readonly DeploymentStatus[];

export interface ClaimedPair {
  id: string;
  tenantId: string;
  apiId: string;
  clusterName: string;
  status: DeploymentStatus;
  message: string | null;
  generation: number;
  attempts: number;
}

const later = (ms: number): SQL => sql`now() + (${Math.max(0, Math.round(ms))}::integer * interval '1 millisecond')`;

const leaseFree = or(isNull(deployments.leaseOwner), lte(deployments.leaseExpiresAt, sql`now()`));

/**
 * Nobody holds it, and: work left behind mid-way (applying, waiting), work queued whose back-off
 * (if any) is over (pending, undeploying), or a ready gateway due for a read-back.
 */
const isDue = and(
  leaseFree,
  or(
    inArray(deployments.status, ['applying', 'waiting']),
    and(inArray(deployments.status, ['pending', 'undeploying']), or(isNull(deployments.dueAt), lte(deployments.dueAt, sql`now()`))),
    and(eq(deployments.status, 'ready'), lte(deployments.dueAt, sql`now()`)),
  ),
);

/** Claims up to `limit` due records for `owner`: requests before read-backs of ready gateways, oldest first. */
export async function claimDuePairs(owner: string, limit: number, leaseMs: number): Promise<ClaimedPair[]> {
  if (limit <= 0) return [];
  const database = await db();
  const due = database
    .select({ id: deployments.id })
    .from(deployments)
    .where(isDue)
    // Many ready gateways due for a look must not hold back a publish.
    .orderBy(asc(sql`${deployments.status} = 'ready'`), asc(deployments.updatedAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  return database
    .update(deployments)
    .set({ leaseOwner: owner, leaseExpiresAt: later(leaseMs) })
    .where(and(inArray(deployments.id, due), isDue))
    .returning({
      id: deployments.id,
      tenantId: deployments.tenantId,
      apiId: deployments.apiId,
      clusterName: deployments.clusterName,
      status: deployments.status,
      message: deployments.message,
      generation: deployments.generation,
      attempts: deployments.attempts,
    });
}

/** Extends every lease `owner` holds; returns the ids it still holds (a lost one is not among them). */
export async function renewLeases(owner: string, leaseMs: number): Promise<Set<string>> {
  const renewed = await (await db())
    .update(deployments)
    .set({ leaseExpiresAt: later(leaseMs) })
    .where(eq(deployments.leaseOwner, owner))
    .returning({ id: deployments.id });
  return new Set(renewed.map((row) => row.id));
}

export interface PairUpdate {
  status?: DeploymentStatus;
  message?: string | null;
  attempts?: number | SQL;
  configHash?: string;
  signingKeyIds?: string[];
  /** Milliseconds from now (database time), or null for "not scheduled". */
  dueInMs?: number | null;
  /** Lets go of the record: the job is over (the next request, or a retry, may claim it). */
  release?: boolean;
  /** Renews the lease for this long (a readiness wait checks in with every look). */
  renewLeaseMs?: number;
  /** False for bookkeeping that changes nothing a person sees (a read-back that found it unchanged). */
  touch?: boolean;
}

function claimedBy(pair: Pick<ClaimedPair, 'id' | 'generation'>, owner: string): SQL | undefined {
  return and(eq(deployments.id, pair.id), eq(deployments.leaseOwner, owner), eq(deployments.generation, pair.generation));
}

/**
 * Writes to a claimed record, only while `owner` holds it for the generation it claimed.
 * False: the lease was lost or a newer request superseded the job: it must stop.
 */
export async function updateClaimed(pair: Pick<ClaimedPair, 'id' | 'generation'>, owner: string, update: PairUpdate): Promise<boolean> {
  const { dueInMs, release, renewLeaseMs, touch = true, ...fields } = update;
  const written = await (await db())
    .update(deployments)
    .set({
      ...fields,
      ...(dueInMs !== undefined ? { dueAt: dueInMs === null ? null : later(dueInMs) } : {}),
      ...(renewLeaseMs !== undefined ? { leaseExpiresAt: later(renewLeaseMs) } : {}),
      ...(release ? { leaseOwner: null, leaseExpiresAt: null } : {}),
      ...(touch ? { updatedAt: new Date() } : {}),
    })
    .where(claimedBy(pair, owner))
    .returning({ id: deployments.id });
  return written.length === 1;
}

/** Removes a claimed record whose gateway is gone (undeploy done), unless a newer request wants it back. */
export async function deleteClaimed(pair: Pick<ClaimedPair, 'id' | 'generation'>, owner: string): Promise<boolean> {
  const deleted = await (await db()).delete(deployments).where(claimedBy(pair, owner)).returning({ id: deployments.id });
  return deleted.length === 1;
}

/** Lets go of a record whatever its generation (a superseded job ends; the newer request is due at once). */
export async function releaseClaim(id: string, owner: string): Promise<void> {
  await (await db())
    .update(deployments)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(deployments.id, id), eq(deployments.leaseOwner, owner)));
}

/** Lets go of every record `owner` holds (a replica that is stopping hands its work over); returns how many. */
export async function releaseLeasesHeldBy(owner: string): Promise<number> {
  const released = await (await db())
    .update(deployments)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(eq(deployments.leaseOwner, owner))
    .returning({ id: deployments.id });
  return released.length;
}

/**
 * Forgets the leases of records (of the given clusters, or all) that no other replica can be
 * working on: all of them on PGlite (one process), the Local cluster's for the holder of its
 * lock. A restart then does not wait for its own old leases to run out.
 */
export async function releaseLeases(clusterNames?: string[]): Promise<number> {
  const released = await (await db())
    .update(deployments)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(isNotNull(deployments.leaseOwner), clusterNames ? inArray(deployments.clusterName, clusterNames) : undefined))
    .returning({ id: deployments.id });
  return released.length;
}

/** How many records (of one API, or all) still have work to do, claimed or not. */
export async function countUnsettled(apiId?: string): Promise<number> {
  const [row] = await (await db())
    .select({ count: sql<number>`count(*)::int` })
    .from(deployments)
    .where(and(inArray(deployments.status, [...ACTIVE_STATUSES]), apiId ? eq(deployments.apiId, apiId) : undefined));
  return row?.count ?? 0;
}

/** Makes the API's ready gateways due for a read-back now; returns how many. */
export async function makeReadBackDue(apiId: string): Promise<number> {
  const marked = await (await db())
    .update(deployments)
    .set({ dueAt: sql`now()` })
    .where(and(eq(deployments.apiId, apiId), eq(deployments.status, 'ready')))
    .returning({ id: deployments.id });
  return marked.length;
}

/** Whether any of the API's ready gateways is still due for a read-back. */
export async function readBackPending(apiId: string): Promise<boolean> {
  const [row] = await (await db())
    .select({ count: sql<number>`count(*)::int` })
    .from(deployments)
    .where(and(eq(deployments.apiId, apiId), eq(deployments.status, 'ready'), lte(deployments.dueAt, sql`now()`)));
  return (row?.count ?? 0) > 0;
}
