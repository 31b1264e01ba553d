import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/drizzle';
import { deployments, type DeploymentStatus } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { claimDuePairs, releaseLeases, updateClaimed } from './deployment-jobs';
import { seedPublisherWithApi } from '../test-support/deployments';

/**
 * The claims themselves, on the suite's database (PGlite, then PostgreSQL): who may take a record
 * and when, in which order, and that a claim overtaken by a newer request writes nothing. Two
 * processes racing for them are in replicas.int.test.ts.
 */
let database: DatabaseHandle;
let tenantId: string;
let apiId: string;

async function record(clusterName: string, status: DeploymentStatus, fields: Partial<typeof deployments.$inferInsert> = {}): Promise<string> {
  const [row] = await database.db.insert(deployments).values({ tenantId, apiId, clusterName, status, ...fields }).returning({ id: deployments.id });
  return row!.id;
}

beforeAll(async () => {
  database = await freshTestDatabase();
  const seeded = await seedPublisherWithApi(database.db, { tenantDomain: 'example.com', context: '/petstore', endpoint: 'http://petstore.internal:8090' });
  ({ apiId } = seeded);
  tenantId = seeded.actor.tenantId;
});

afterAll(async () => {
  await database?.close();
});

beforeEach(async () => {
  await database.db.delete(deployments);
});

describe('claiming deployment records', () => {
  it('gives a record to one owner until its lease runs out, then to another', async () => {
    const id = await record('cluster-a', 'pending');
    expect((await claimDuePairs('replica-1', 10, 300)).map((p) => p.id)).toEqual([id]);
    expect(await claimDuePairs('replica-2', 10, 300)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await claimDuePairs('replica-2', 10, 300)).map((p) => p.id)).toEqual([id]);
    // the first owner's writes no longer land
    const [claimed] = await database.db.select().from(deployments).where(eq(deployments.id, id));
    expect(await updateClaimed({ id, generation: claimed!.generation }, 'replica-1', { status: 'ready' })).toBe(false);
    expect(claimed!.leaseOwner).toBe('replica-2');
  });

  it('takes requests before read-backs of ready gateways, and nothing failed, settled or backing off', async () => {
    const readBack = await record('cluster-a', 'ready', { dueAt: new Date(Date.now() - 60_000), updatedAt: new Date(Date.now() - 60_000) });
    const publish = await record('cluster-b', 'pending');
    await record('cluster-c', 'failed');
    await record('cluster-d', 'ready', { dueAt: new Date(Date.now() + 60_000) });
    await record('cluster-e', 'pending', { dueAt: new Date(Date.now() + 60_000) });
    expect((await claimDuePairs('replica-1', 1, 30_000)).map((p) => p.id)).toEqual([publish]);
    expect((await claimDuePairs('replica-1', 10, 30_000)).map((p) => p.id)).toEqual([readBack]);
  });

  it("after a restart, frees only the leases no other replica can hold: the Local cluster's", async () => {
    await record('local', 'applying');
    const other = await record('cluster-a', 'applying');
    expect(await claimDuePairs('replica-before-restart', 10, 30_000)).toHaveLength(2);
    expect(await releaseLeases(['local'])).toBe(1);
    const claimedAfter = await claimDuePairs('replica-after-restart', 10, 30_000);
    expect(claimedAfter.map((p) => p.clusterName)).toEqual(['local']);
    const [stillHeld] = await database.db.select().from(deployments).where(eq(deployments.id, other));
    expect(stillHeld!.leaseOwner).toBe('replica-before-restart');
  });

  it('lets a job write only for the request it claimed: a newer one overtakes it', async () => {
    const id = await record('cluster-a', 'pending');
    const [pair] = await claimDuePairs('replica-1', 10, 30_000);
    expect(await updateClaimed(pair!, 'replica-1', { status: 'applying' })).toBe(true);
    await database.db
      .update(deployments)
      .set({ status: 'pending', generation: sql`${deployments.generation} + 1` })
      .where(eq(deployments.id, id));
    expect(await updateClaimed(pair!, 'replica-1', { status: 'ready' })).toBe(false);
    const [after] = await database.db.select().from(deployments).where(eq(deployments.id, id));
    expect(after!.status).toBe('pending');
  });
});
