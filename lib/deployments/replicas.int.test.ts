import { eq, isNotNull } from 'drizzle-orm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLifecycleState, setClusterSelection } from '../apis/apis.service';
import type { Actor } from '../actor';
import { replaceTenantClusters } from '../clusters/clusters.store';
import { FIRST_BUILD_TIMEOUT_MS, playDeploymentController, startRealCluster, type RealCluster } from '../test-support/kubernetes/real-clusters';
import { openDatabase, type DatabaseHandle } from '../db/drizzle';
import { deployments } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { ensureSigningKeys } from '../oauth/signing-keys';
import { useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { startAppReplica, type AppReplica } from '../test-support/app-replica';
import { CountingApiServerRelay } from '../test-support/counting-api-server-relay';
import { postgresServerForTest, type PostgresServer } from '../test-support/postgres-server';
import { configureDeploymentEngine, deploymentsSettled, deploymentViews } from './deployments.service';
import { claimSingleReplicaRole } from './single-replica';
import { copyApi, seedPublisherWithApi, usePlatformClusters } from '../test-support/deployments';

/**
 * Two replicas of the app — separate Node processes running the app's start-up — on one real
 * PostgreSQL, deploying to two real API servers. Each API server sits behind a relay that counts
 * the server-side applies reaching it. This test process only records requests, as a replica
 * serving pages would (PRIVATEJET_DEPLOY_CONCURRENCY=0 here): the jobs are the replicas'.
 * No controllers run, so a loop plays the Deployment controller as in deployments.int.test.ts.
 */
const LEASE_SECONDS = 3;

let postgresServer: PostgresServer;
let database: DatabaseHandle & { url: string | null };
let actor: Actor;
let firstApiId: string;
let dir: string;
let clusters: Array<{ real: RealCluster; relay: CountingApiServerRelay }> = [];
let replicas: AppReplica[] = [];
let stopController: () => void = () => undefined;

const clusterNames = ['cluster-a', 'cluster-b'];

const anotherApi = (name: string) => copyApi(database.db, firstApiId, name);

async function publishToBothClusters(apiId: string): Promise<void> {
  await setClusterSelection(actor, apiId, clusterNames);
  await changeLifecycleState(actor, apiId, 'PUBLISHED');
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A new API published to both clusters, its jobs held at the relays after their first apply: both pairs are mid-apply. */
async function publishHeldMidApply(name: string) {
  const apiId = await anotherApi(name);
  for (const { relay } of clusters) {
    relay.applies.clear();
    relay.holdApplies();
  }
  await publishToBothClusters(apiId);
  await until(() => clusters.every(({ relay }) => relay.heldApplies > 0), 'both pairs are mid-apply');
  const pairs = await database.db.select().from(deployments).where(eq(deployments.apiId, apiId));
  expect(pairs.map((p) => p.status)).toEqual(['applying', 'applying']);
  return { apiId, pairs };
}

/** Since publishHeldMidApply: the API's gateway Deployment reached each API server once, and no object twice. */
function expectEachObjectAppliedOnce(): void {
  for (const { relay } of clusters) {
    expect(appliedDeployments(relay)).toEqual([1]);
    expect(relay.mostAppliesOfOneObject()).toBe(1);
  }
}

/** The replica whose lease it is (a lease owner is host/PID/random). */
function replicaHolding(leaseOwner: string | null): AppReplica | undefined {
  return replicas.find((replica) => leaseOwner?.split('/')[1] === String(replica.pid));
}

/** How many times each gateway Deployment (the pods of one API) reached this API server as an apply. */
function appliedDeployments(relay: CountingApiServerRelay): number[] {
  return [...relay.applies.entries()].filter(([object]) => object.includes('/deployments/')).map(([, count]) => count);
}

beforeAll(async () => {
  // Both replicas must read the ServiceAccount tokens this process stores: one master key, as from one Secret.
  useThrowawaySecretKey();
  postgresServer = await postgresServerForTest();
  database = await freshTestDatabase({ serverUrl: postgresServer.url });
  usePlatformClusters();
  configureDeploymentEngine({ concurrency: 0 });
  ({ actor, apiId: firstApiId } = await seedPublisherWithApi(database.db, { tenantDomain: 'example.com', context: '/petstore', endpoint: 'http://petstore.internal:8090' }));
  // Keys first, so no replica publishes a next key at start (that re-applies every gateway).
  await ensureSigningKeys();
  const started = await Promise.all(clusterNames.map((name) => startRealCluster(name, 'kubernetes')));
  clusters = started.map((real) => ({ real, relay: new CountingApiServerRelay(real.controlPlane) }));
  const relayed = await Promise.all(clusters.map(async ({ real, relay }) => ({ ...real.cluster, properties: { ...real.cluster.properties, MasterURL: await relay.open() } })));
  await replaceTenantClusters(actor.tenantId, relayed);
  stopController = playDeploymentController(clusters.map(({ real }) => real));

  dir = await mkdtemp(path.join(os.tmpdir(), 'privatejet-replicas-'));
  await writeFile(path.join(dir, 'deployment.toml'), '[ContainerMgtConfig]\nKubernetes = "kubernetes"\n');
  // Started together: they migrate and seed one after the other on the shared database.
  replicas = await Promise.all([1, 2].map(startReplica));
}, FIRST_BUILD_TIMEOUT_MS);

function startReplica(n: number): Promise<AppReplica> {
  return startAppReplica({
    DATABASE_URL: database.url!,
    PRIVATEJET_DEPLOYMENT_TOML: path.join(dir, 'deployment.toml'),
    PRIVATEJET_DATA_DIR: path.join(dir, `replica-${n}`),
    PRIVATEJET_DEPLOY_LEASE_SECONDS: String(LEASE_SECONDS),
    // Two jobs at a time each, so a publish of many pairs is shared between the replicas.
    PRIVATEJET_DEPLOY_CONCURRENCY: '2',
    PRIVATEJET_DEPLOY_RETRY_DELAY_SECONDS: '0.2',
  });
}

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.kill('SIGKILL')));
  stopController();
  await Promise.all(clusters.map(async ({ real, relay }) => (await relay.close(), await real.controlPlane.stop())));
  await database?.close();
  await postgresServer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two replicas on one PostgreSQL', () => {
  it('share the work of a publish and apply each gateway object exactly once per cluster', async () => {
    const apiIds = [firstApiId, ...(await Promise.all(['Orders', 'Billing', 'Inventory', 'Shipping', 'Search'].map(anotherApi)))];
    const pidsSeenWorking = new Set<string>();
    const watching = setInterval(() => {
      void database.db
        .select({ owner: deployments.leaseOwner })
        .from(deployments)
        .where(isNotNull(deployments.leaseOwner))
        .then((rows) => rows.forEach((row) => pidsSeenWorking.add(String(replicaHolding(row.owner)?.pid))), () => undefined);
    }, 50);
    try {
      for (const apiId of apiIds) await publishToBothClusters(apiId);
      await deploymentsSettled();
    } finally {
      clearInterval(watching);
    }

    const records = await database.db.select().from(deployments);
    expect(records).toHaveLength(apiIds.length * clusterNames.length);
    expect(records.map((r) => `${r.status} ${r.message ?? ''}`)).toEqual(records.map(() => expect.stringMatching(/^ready/)));
    expect([...pidsSeenWorking].sort()).toEqual(replicas.map((r) => String(r.pid)).sort());
    for (const { relay } of clusters) {
      // one gateway Deployment per API, each applied once; and no other object twice either
      expect(appliedDeployments(relay)).toEqual(apiIds.map(() => 1));
      expect(relay.mostAppliesOfOneObject()).toBe(1);
    }
    // Every replica's pages read the same records: this process (a third, serving only) sees them ready too.
    for (const apiId of apiIds) expect((await deploymentViews(actor, apiId)).map((v) => v.status)).toEqual(['ready', 'ready']);
  }, 180_000);

  it('a replica killed mid-apply: the other finishes its pair once the lease runs out, with no apply or record lost or doubled', async () => {
    const { apiId, pairs } = await publishHeldMidApply('Payments');
    const victimPair = pairs.find((p) => p.clusterName === 'cluster-a')!;
    const victim = replicaHolding(victimPair.leaseOwner)!;
    const survivor = replicas.find((r) => r !== victim)!;
    expect(victim).toBeDefined();

    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    // The dead replica's held applies are dropped as its connections close; the survivor's still wait.
    const victimsRelays = clusters.filter((_, i) => replicaHolding(pairs.find((p) => p.clusterName === clusterNames[i])!.leaseOwner) === victim);
    await until(() => victimsRelays.every(({ relay }) => relay.heldApplies === 0), "the killed replica's connections are closed");
    for (const { relay } of clusters) relay.releaseApplies();

    await deploymentsSettled(apiId);
    const finishedAfterMs = Date.now() - killedAt;
    console.log(`a killed replica's pair was finished by the other ${finishedAfterMs} ms after the kill (lease ${LEASE_SECONDS} s)`);
    const after = await database.db.select().from(deployments).where(eq(deployments.apiId, apiId));
    expect(after.map((p) => [p.clusterName, p.status]).sort()).toEqual([
      ['cluster-a', 'ready'],
      ['cluster-b', 'ready'],
    ]);
    // taken over only once the lease had run out, and tried again (the record says so)
    // (renewed every third of a lease, so at least two thirds of it were left at the kill)
    expect(finishedAfterMs).toBeGreaterThanOrEqual((LEASE_SECONDS * 1000 * 2) / 3 - 250);
    expect(after.find((p) => p.clusterName === 'cluster-a')!.attempts).toBe(2);
    expectEachObjectAppliedOnce();
    expect(after.every((p) => replicaHolding(p.leaseOwner) !== victim)).toBe(true);
    expect(survivor.exited()).toBe(false);
  }, 120_000);

  it('a replica told to stop (SIGTERM) mid-apply lets go of its pairs before it exits, so the other takes them over without waiting out the lease', async () => {
    // Two running replicas, whichever tests ran before (the kill test leaves one).
    while (replicas.filter((r) => !r.exited()).length < 2) replicas.push(await startReplica(replicas.length + 1));
    const running = replicas.filter((r) => !r.exited());
    const { apiId, pairs } = await publishHeldMidApply('Refunds');
    const stopping = replicaHolding(pairs.find((p) => p.clusterName === 'cluster-a')!.leaseOwner)!;
    expect(running).toContain(stopping);
    const itsPairs = pairs.filter((p) => replicaHolding(p.leaseOwner) === stopping).map((p) => p.id);

    const stoppedAt = Date.now();
    // From now on the other's applies pass (it may take the pairs over before this one has exited); held ones stay held.
    for (const { relay } of clusters) relay.stopHolding();
    await stopping.kill('SIGTERM');
    const exitedAfterMs = Date.now() - stoppedAt;
    expect(stopping.output()).toMatch(/PrivateJet: stopping: deployment jobs: handed over; traffic scrapes: handed over/);
    expect(stopping.exitCode()).toBe(143);
    // Read as soon as it has gone: a SIGKILLed replica's records still name it until the lease runs out.
    const leftBehind = await database.db.select().from(deployments).where(eq(deployments.apiId, apiId));
    expect(leftBehind.filter((p) => itsPairs.includes(p.id)).map((p) => replicaHolding(p.leaseOwner))).not.toContain(stopping);

    // The stopped one's held applies are dropped as its connections close; they never reach the API servers.
    const stoppingsRelays = clusters.filter((_, i) => itsPairs.includes(pairs.find((p) => p.clusterName === clusterNames[i])!.id));
    await until(() => stoppingsRelays.every(({ relay }) => relay.heldApplies === 0), "the stopped replica's connections are closed");
    for (const { relay } of clusters) relay.releaseApplies();
    await deploymentsSettled(apiId);
    const finishedAfterMs = Date.now() - stoppedAt;
    console.log(`a stopped replica exited ${exitedAfterMs} ms after SIGTERM; the other finished its pairs ${finishedAfterMs} ms after it (lease ${LEASE_SECONDS} s)`);
    const after = await database.db.select().from(deployments).where(eq(deployments.apiId, apiId));
    expect(after.map((p) => [p.clusterName, p.status]).sort()).toEqual([
      ['cluster-a', 'ready'],
      ['cluster-b', 'ready'],
    ]);
    expectEachObjectAppliedOnce();
  }, 120_000);

  it('lets only one replica run the Local cluster, whose gateways are processes of the app', async () => {
    const other = await openDatabase({ url: database.url! });
    try {
      await claimSingleReplicaRole(database, ['local'], { concurrency: 2 });
      await expect(claimSingleReplicaRole(other, ['local'], { concurrency: 2 })).rejects.toThrow(/another replica of this app already runs them on this database/);
    } finally {
      await other.close();
    }
  });
});
