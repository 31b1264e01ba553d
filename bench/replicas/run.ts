/**
 * The deployment engine at scale, with one and with two replicas of the app on one PostgreSQL:
 * publish APIS APIs (100) to CLUSTERS real API servers (3) and time it until every pair is ready.
 * Each API server sits behind a relay that counts the server-side applies reaching it, so the
 * figures are: total time, applies per second, duplicate applies (must be 0), and the replicas'
 * CPU per pair. Then the hand-over: with two replicas mid-apply, one is killed (SIGKILL: its
 * pairs wait out the lease) or stopped (SIGTERM: it lets go first), and the time until the other
 * has finished its pairs. Runs alternate (1, 2, 2, 1, ...) so the machine's drift falls on both;
 * each starts with one API published and settled, unmeasured, so the replicas are warm.
 *
 * The replicas are separate Node processes running the app's start-up (as in
 * lib/deployments/replicas.int.test.ts); this process only records the publish requests, as a
 * replica serving pages would. No controllers run on these API servers, so a loop plays the
 * Deployment controller (a gateway is "ready" when its Deployment reports its replicas).
 *
 *   npx tsx bench/replicas/run.ts      (APIS=100 CLUSTERS=3 ROUNDS=1 LEASE_SECONDS=30; root;
 *                                       ROUNDS=0: the hand-over only)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { changeLifecycleState, setClusterSelection } from '../../lib/apis/apis.service';
import type { Actor } from '../../lib/actor';
import { replaceTenantClusters } from '../../lib/clusters/clusters.store';
import type { TargetCluster } from '../../lib/containers/container-manager';
import { deployments } from '../../lib/db/schema';
import { configureDeploymentEngine, deploymentsSettled } from '../../lib/deployments/deployments.service';
import { ensureSigningKeys } from '../../lib/oauth/signing-keys';
import { startAppReplica, type AppReplica } from '../../lib/test-support/app-replica';
import { CountingApiServerRelay } from '../../lib/test-support/counting-api-server-relay';
import { copyApi, seedPublisherWithApi, usePlatformClusters } from '../../lib/test-support/deployments';
import { playDeploymentController, startRealCluster, type RealCluster } from '../../lib/test-support/kubernetes/real-clusters';
import { postgresServerForTest } from '../../lib/test-support/postgres-server';
import { freshTestDatabase } from '../../lib/test-support/test-database';

const APIS = Number(process.env.APIS ?? 100);
const CLUSTERS = Number(process.env.CLUSTERS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const LEASE_SECONDS = Number(process.env.LEASE_SECONDS ?? 30);
/** APIs published in a hand-over measurement. */
const HAND_OVER_APIS = 5;

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Cluster {
  real: RealCluster;
  relay: CountingApiServerRelay;
  /** As the replicas reach it: through the relay. */
  relayed: TargetCluster;
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks of 1/100 s
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** One setting of the engine: a fresh database, its publisher, APIs and replicas. */
async function setting(clusters: Cluster[], serverUrl: string, dir: string, label: string, apiCount: number, replicaCount: number) {
  const database = await freshTestDatabase({ serverUrl });
  usePlatformClusters();
  configureDeploymentEngine({ concurrency: 0 });
  const tenantDomain = `${label}.example.com`;
  const { actor, apiId } = await seedPublisherWithApi(database.db, { tenantDomain, context: `/${label}-petstore`, endpoint: 'http://petstore.internal:8090' });
  // Keys first, so no replica publishes a next key at start (that would re-apply every gateway).
  await ensureSigningKeys();
  await replaceTenantClusters(actor.tenantId, clusters.map((c) => c.relayed));
  const apiIds = await Promise.all(Array.from({ length: apiCount }, (_, i) => copyApi(database.db, apiId, `${label}-api-${String(i + 1).padStart(3, '0')}`)));
  const replicas = await Promise.all(
    Array.from({ length: replicaCount }, (_, n) =>
      startAppReplica({
        DATABASE_URL: database.url!,
        PRIVATEJET_DEPLOYMENT_TOML: path.join(dir, 'deployment.toml'),
        PRIVATEJET_DATA_DIR: path.join(dir, `${label}-replica-${n + 1}`),
        PRIVATEJET_DEPLOY_LEASE_SECONDS: String(LEASE_SECONDS),
        // Nothing in these runs is read back: the figures are the publish's alone.
        PRIVATEJET_GATEWAY_OBSERVE_SECONDS: '86400',
        PRIVATEJET_TRAFFIC_SCRAPE_CONCURRENCY: '0',
      }),
    ),
  );
  // Ten publishers at a time: the requests are recorded quickly, and the figure is the engine's.
  const publish = async (ids: string[]) => {
    const names = clusters.map((c) => c.relayed.clusterName);
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(
        ids.slice(i, i + 10).map(async (id) => {
          await setClusterSelection(actor, id, names);
          await changeLifecycleState(actor, id, 'PUBLISHED');
        }),
      );
    }
  };
  // The first publish loads the replicas' cluster code (compiled on first use here); it is not measured.
  await publish([apiId]);
  await deploymentsSettled();
  for (const { relay } of clusters) relay.applies.clear();
  const stop = async () => {
    await Promise.all(replicas.map((replica) => replica.kill('SIGKILL')));
    await database.close();
  };
  return { database, actor, apiIds, replicas, publish, stop };
}

function applyCounts(clusters: Cluster[]): { applies: number; objects: number } {
  let applies = 0;
  let objects = 0;
  for (const { relay } of clusters) {
    for (const count of relay.applies.values()) applies += count;
    objects += relay.applies.size;
  }
  return { applies, objects };
}

async function assertAllReady(database: Awaited<ReturnType<typeof setting>>['database'], pairs: number): Promise<void> {
  const records = await database.db.select({ status: deployments.status, message: deployments.message }).from(deployments);
  const notReady = records.filter((r) => r.status !== 'ready');
  if (records.length !== pairs || notReady.length > 0) {
    throw new Error(`expected ${pairs} ready pairs, found ${records.length}, not ready: ${notReady.slice(0, 3).map((r) => `${r.status} ${r.message ?? ''}`).join('; ')}`);
  }
}

interface PublishFigures {
  replicas: number;
  seconds: number;
  requestSeconds: number;
  applies: number;
  duplicates: number;
  cpuPerPairMs: number;
}

async function publishRun(clusters: Cluster[], serverUrl: string, dir: string, label: string, replicaCount: number): Promise<PublishFigures> {
  const run = await setting(clusters, serverUrl, dir, label, APIS, replicaCount);
  try {
    const cpuBefore = run.replicas.map((r) => cpuSeconds(r.pid));
    const started = performance.now();
    await run.publish(run.apiIds);
    const requestSeconds = (performance.now() - started) / 1000;
    await deploymentsSettled();
    const seconds = (performance.now() - started) / 1000;
    const cpu = run.replicas.reduce((sum, r, i) => sum + cpuSeconds(r.pid) - cpuBefore[i]!, 0);
    await assertAllReady(run.database, (APIS + 1) * CLUSTERS);
    const { applies, objects } = applyCounts(clusters);
    return { replicas: replicaCount, seconds, requestSeconds, applies, duplicates: applies - objects, cpuPerPairMs: (cpu * 1000) / (APIS * CLUSTERS) };
  } finally {
    await run.stop();
  }
}

/** Two replicas mid-apply; one of them ends by `signal`; how long until the other has finished everything. */
async function handOverRun(clusters: Cluster[], serverUrl: string, dir: string, label: string, signal: 'SIGKILL' | 'SIGTERM') {
  const run = await setting(clusters, serverUrl, dir, label, HAND_OVER_APIS, 2);
  try {
    for (const { relay } of clusters) relay.holdApplies();
    await run.publish(run.apiIds);
    const pairs = HAND_OVER_APIS * CLUSTERS;
    const heldApplies = () => clusters.reduce((sum, { relay }) => sum + relay.heldApplies, 0);
    // Every pair's job has sent its first applies (the ConfigMap and the Secret, together) and waits on them.
    let heldBefore = -1;
    let steadySince = Date.now();
    await until(() => {
      const now = heldApplies();
      if (now !== heldBefore) [heldBefore, steadySince] = [now, Date.now()];
      return now >= pairs && now % pairs === 0 && Date.now() - steadySince > 500;
    }, 'every pair is mid-apply');
    const appliesPerPair = heldBefore / pairs;
    const held = await run.database.db.select({ owner: deployments.leaseOwner }).from(deployments).where(eq(deployments.status, 'applying'));
    const heldBy = (replica: AppReplica) => held.filter((r) => r.owner?.split('/')[1] === String(replica.pid)).length;
    // The one holding more of the pairs ends.
    const victim = run.replicas.reduce((a, b) => (heldBy(a) >= heldBy(b) ? a : b));
    const victimsPairs = heldBy(victim);
    const ended = performance.now();
    // The other's applies pass from now on (a stopped replica lets go before it exits); held ones stay held.
    for (const { relay } of clusters) relay.stopHolding();
    await victim.kill(signal);
    // The ended one's held applies are dropped as its connections close.
    await until(() => heldApplies() <= heldBefore - appliesPerPair * victimsPairs, "the ended replica's connections are closed");
    for (const { relay } of clusters) relay.releaseApplies();
    await deploymentsSettled();
    const seconds = (performance.now() - ended) / 1000;
    await assertAllReady(run.database, (HAND_OVER_APIS + 1) * CLUSTERS);
    const { applies, objects } = applyCounts(clusters);
    return { signal, seconds, victimsPairs, duplicates: applies - objects };
  } finally {
    for (const { relay } of clusters) relay.releaseApplies();
    await run.stop();
  }
}

function printPublishFigures(figures: PublishFigures[]): void {
  const pairs = APIS * CLUSTERS;
  console.log(`\n| publish ${APIS} APIs to ${CLUSTERS} clusters (${pairs} pairs) | total | requests recorded in | applies | applies/s | duplicate applies | replicas' CPU per pair |\n|---|---:|---:|---:|---:|---:|---:|`);
  for (const f of figures) {
    console.log(`| ${f.replicas} replica${f.replicas > 1 ? 's' : ''} | ${f.seconds.toFixed(1)} s | ${f.requestSeconds.toFixed(1)} s | ${f.applies} | ${(f.applies / f.seconds).toFixed(0)} | ${f.duplicates} | ${f.cpuPerPairMs.toFixed(0)} ms |`);
  }
  const mean = (n: number) => {
    const runs = figures.filter((f) => f.replicas === n);
    return runs.reduce((sum, f) => sum + f.seconds, 0) / runs.length;
  };
  console.log(`\n2 replicas / 1 replica, total time: ${(mean(2) / mean(1)).toFixed(2)} (same machine, same run; ${os.cpus().length} cores shared by the replicas, the API servers, etcd and PostgreSQL)`);
}

async function main(): Promise<void> {
  // Every replica reads the ServiceAccount tokens this process stores: one master key for all.
  process.env.PRIVATEJET_SECRET_KEY ??= randomBytes(32).toString('hex');
  const postgresServer = await postgresServerForTest();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'privatejet-bench-replicas-'));
  await writeFile(path.join(dir, 'deployment.toml'), '[ContainerMgtConfig]\nKubernetes = "kubernetes"\n');
  const names = Array.from({ length: CLUSTERS }, (_, i) => `bench-${String.fromCharCode(97 + i)}`);
  const clusters: Cluster[] = [];
  let stopController = () => {};
  try {
    const clusterStart = performance.now();
    for (const real of await Promise.all(names.map((name) => startRealCluster(name, 'kubernetes')))) {
      const relay = new CountingApiServerRelay(real.controlPlane);
      clusters.push({ real, relay, relayed: { ...real.cluster, properties: { ...real.cluster.properties, Replicas: 1, MasterURL: await relay.open() } } });
    }
    console.log(`${CLUSTERS} API servers up in ${((performance.now() - clusterStart) / 1000).toFixed(1)} s`);
    // Once a second: listing hundreds of Deployments four times a second would load this process more than the replicas.
    stopController = playDeploymentController(clusters.map((c) => c.real), { everyMs: 1000 });

    const figures: PublishFigures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const replicaCount of round % 2 === 0 ? [1, 2] : [2, 1]) {
        const result = await publishRun(clusters, postgresServer.url, dir, `r${round}x${replicaCount}`, replicaCount);
        figures.push(result);
        console.log(`round ${round + 1}, ${replicaCount} replica(s): ${result.seconds.toFixed(1)} s`);
      }
    }
    const handOvers = [];
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) handOvers.push(await handOverRun(clusters, postgresServer.url, dir, signal.toLowerCase(), signal));

    if (figures.length > 0) printPublishFigures(figures);
    console.log(`\n| hand-over (2 replicas, ${HAND_OVER_APIS} APIs × ${CLUSTERS} clusters mid-apply, lease ${LEASE_SECONDS} s) | pairs the ended replica held | until the other finished all | duplicate applies |\n|---|---:|---:|---:|`);
    for (const h of handOvers) console.log(`| ${h.signal === 'SIGKILL' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'} | ${h.victimsPairs} | ${h.seconds.toFixed(1)} s | ${h.duplicates} |`);
    console.log('duplicate applies: an object applied more than once in a run (the relay counts every server-side apply per object)');
  } finally {
    stopController();
    for (const { real, relay } of clusters) await relay.close().then(() => real.controlPlane.stop());
    await postgresServer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
