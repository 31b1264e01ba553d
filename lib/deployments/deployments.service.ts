import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { resolveTenantClusters, type ResolvedCluster } from '../clusters/clusters.service';
import { platformClusterConfig } from '../clusters/platform-config';
import { managerForType } from '../clusters/container-managers';
import type { ApiIdentity, ContainerManager, DeployableApi } from '../containers/container-manager';
import { KubeError } from '../containers/kube-errors';
import { containerManagerFor } from '../containers/registry';
import { appDatabase, db } from '../db/drizzle';
import { apiClusterSelections, apis, deployments, tenants, type ApiState, type DeploymentStatus } from '../db/schema';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import { TIERS } from '../tiers';
import { isDeployedState } from '../lifecycle/lifecycle';
import { gatewaySpecFor } from '../gateway/gateway-spec-for';
import { endpointPolicyIssues } from '../net/endpoint-policy';
import {
  ACTIVE_STATUSES,
  countUnsettled,
  deleteClaimed,
  makeReadBackDue,
  readBackPending,
  releaseLeases,
  updateClaimed,
  type ClaimedPair,
  type PairUpdate,
} from './deployment-jobs';
import { DeploymentWorker, type Lease } from './deployment-worker';
import { engineSettingsFromEnv, isTransientFailure, retryDelayMs, type EngineSettings } from './engine-settings';
import { gatewayPlatformSettings } from './platform-settings';
import { holdsSingleReplicaLock } from './single-replica';

/**
 * Brings each (API, cluster) to what the API's state and cluster selection ask for. Every
 * pair has its own record and its own job: jobs of one API run in parallel across clusters,
 * one failing cluster never blocks or rolls back the others, and jobs for the same pair are
 * serialized so a retry or an edit never races an apply in flight.
 *
 * The record is the job (lib/deployments/deployment-jobs.ts): requests write it, and whichever
 * replica claims it first works on it under a lease — so with several replicas on one
 * PostgreSQL a change is applied once, a dead replica's work is taken over when its lease runs
 * out, and every replica shows the same status, read from the record.
 */

const globalForEngine = globalThis as unknown as { privatejetDeploymentEngine?: { settings: EngineSettings; worker?: DeploymentWorker } };

function engine() {
  globalForEngine.privatejetDeploymentEngine ??= { settings: engineSettingsFromEnv() };
  return globalForEngine.privatejetDeploymentEngine;
}

function worker(): DeploymentWorker {
  const current = engine();
  current.worker ??= new DeploymentWorker(runPairJob, current.settings);
  return current.worker;
}

/** Starts this process's worker (start-up); requests would start it anyway, this also picks up work left by others. */
export function startDeploymentEngine(): void {
  worker();
}

/**
 * This process stops working on deployment jobs and lets go of the records it holds, so another
 * replica takes them over at once (shutdown). Returns how many it let go.
 */
export async function handOverDeploymentWork(): Promise<number> {
  return (await globalForEngine.privatejetDeploymentEngine?.worker?.handOver()) ?? 0;
}

/** Changes the engine's pace in this process (tests: short leases and back-off). */
export function configureDeploymentEngine(settings: Partial<EngineSettings>): void {
  Object.assign(engine().settings, settings);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves when no record (of the API, or at all) has work left: applies, readiness waits,
 * removals and scheduled retries, by whichever replica. Tests and benchmarks wait on it.
 */
export async function deploymentsSettled(apiId?: string): Promise<void> {
  worker().wake();
  while ((await countUnsettled(apiId)) > 0) await sleep(50);
}

/** The API with its definition: only a deploy needs that (the gateway's routes come from it). */
async function loadApi(apiId: string) {
  const [row] = await (await db())
    .select({ api: apis, tenantDomain: tenants.domain })
    .from(apis)
    .innerJoin(tenants, eq(tenants.id, apis.tenantId))
    .where(eq(apis.id, apiId));
  return row;
}

/** Who and where an API is, without its definition (which may be tens of MB): for the status reads pages make. */
async function loadApiIdentity(apiId: string) {
  const [row] = await (await db())
    .select({ api: { id: apis.id, tenantId: apis.tenantId, name: apis.name, version: apis.version, context: apis.context, state: apis.state }, tenantDomain: tenants.domain })
    .from(apis)
    .innerJoin(tenants, eq(tenants.id, apis.tenantId))
    .where(eq(apis.id, apiId));
  return row;
}

function identityOf(row: { api: { id: string; tenantId: string; name: string; version: string; context: string }; tenantDomain: string }): ApiIdentity {
  const { api, tenantDomain } = row;
  return { apiId: api.id, tenantId: api.tenantId, tenantDomain, name: api.name, version: api.version, context: api.context };
}

/**
 * Where one deployed gateway runs, for work beside the deployment engine (the traffic scraper):
 * the API's identity, its cluster and that cluster's manager. Undefined when the API or the
 * cluster is gone.
 */
export async function deployedGatewayOf(apiId: string, clusterName: string): Promise<{ identity: ApiIdentity; cluster: ResolvedCluster; manager: ContainerManager } | undefined> {
  const row = await loadApiIdentity(apiId);
  if (!row) return undefined;
  const identity = identityOf(row);
  const cluster = (await resolveTenantClusters(identity)).find((c) => c.definition.clusterName === clusterName);
  if (!cluster) return undefined;
  return { identity, cluster, manager: await containerManagerFor(cluster.manager) };
}

function describeFailure(error: unknown): string {
  if (error instanceof KubeError) return error.hint ? `${error.message} — ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A new request for work on pairs: the job starts over (tries counted afresh), and any job in flight is superseded. */
const newRequest = { message: null, attempts: 0, generation: sql`${deployments.generation} + 1`, dueAt: null, updatedAt: sql`now()` };

/**
 * Records what each selected cluster should get; a replica's worker then does it. Returns once
 * the records are written (the Lifecycle tab shows the jobs live).
 * `changedClustersOnly` (a selection change) leaves clusters that already have the API alone
 * and applies just the difference; otherwise every selected cluster is applied again.
 */
export async function reconcileApiDeployments(apiId: string, options: { changedClustersOnly?: boolean } = {}): Promise<void> {
  const row = await loadApiIdentity(apiId);
  if (!row) return;
  const database = await db();
  const selected = await database.select().from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
  const desired = isDeployedState(row.api.state) ? selected.map((s) => s.clusterName) : [];
  if (desired.length > 0) {
    const values = desired.map((clusterName) => ({ tenantId: row.api.tenantId, apiId, clusterName, status: 'pending' as const }));
    await database
      .insert(deployments)
      .values(values)
      .onConflictDoUpdate({
        target: [deployments.apiId, deployments.clusterName],
        set: { status: 'pending', ...newRequest },
        // A selection change re-applies only clusters on their way out (picked again).
        ...(options.changedClustersOnly ? { setWhere: eq(deployments.status, 'undeploying') } : {}),
      });
  }
  await database
    .update(deployments)
    .set({ status: 'undeploying', ...newRequest })
    .where(and(eq(deployments.apiId, apiId), desired.length > 0 ? notInArray(deployments.clusterName, desired) : sql`true`));
  worker().wake();
}

/** A job that lost its lease, or whose request a newer one replaced: it stops and writes nothing. */
class Superseded extends Error {}

/** A failure retrying cannot mend (a gateway that cannot start, a readiness timeout). */
class PermanentFailure extends Error {}

/** The job of one claimed record: remove, apply and wait for ready, or read a ready gateway back. */
async function runPairJob(pair: ClaimedPair, lease: Lease): Promise<void> {
  const settings = engine().settings;
  const write = async (update: PairUpdate) => {
    if (lease.lost || !(await updateClaimed(pair, lease.owner, update))) throw new Superseded();
  };
  const wanted = pair.status !== 'undeploying';
  let attempts = pair.attempts;
  try {
    const row = await loadApiIdentity(pair.apiId);
    if (!row) return; // the API was deleted, and its records with it
    const identity = identityOf(row);
    const cluster = (await resolveTenantClusters(identity)).find((c) => c.definition.clusterName === pair.clusterName);
    if (!cluster) {
      // The cluster left the configuration: nothing can be reached there any more.
      if (wanted) await write({ status: 'failed', message: `Cluster "${pair.clusterName}" is no longer configured for this tenant.`, dueInMs: null, release: true });
      else await deleteClaimed(pair, lease.owner);
      return;
    }
    const manager = await containerManagerFor(cluster.manager);
    if (!wanted) {
      attempts += 1;
      await write({ attempts, dueInMs: null });
      await manager.undeploy(identity, cluster.definition);
      await deleteClaimed(pair, lease.owner);
      return;
    }
    if (pair.status === 'ready') {
      if (!(await readBack(pair, identity, cluster, manager, write, settings))) return;
    } else if (pair.status === 'pending' || pair.status === 'applying') {
      // Claimed while "applying": a replica stopped in the middle of it. One that stops on every try must not loop forever.
      if (pair.status === 'applying' && attempts >= settings.maxAttempts) throw new PermanentFailure('A replica stopped while applying it, on every try.');
      attempts += 1;
      await write({ status: 'applying', message: null, attempts, dueInMs: null });
      const withDefinition = await loadApi(pair.apiId);
      if (!withDefinition) return;
      const deployable = await deployableApi(withDefinition, identity, cluster);
      const { configHash } = await manager.deploy(deployable, cluster.definition);
      // Which token signing keys this gateway now holds: a next key signs once every gateway has it.
      const signingKeyIds = deployable.gateway.authorizationServer.keys.map((key) => key.kid);
      await write({ status: 'waiting', message: 'Applied; waiting for the gateway to become ready.', configHash, signingKeyIds });
    }
    await waitUntilReady(pair, lease, identity, cluster, manager, write, settings);
  } catch (error) {
    if (error instanceof Superseded) return;
    const message = describeFailure(error);
    const retry = !(error instanceof PermanentFailure) && isTransientFailure(error) && attempts < settings.maxAttempts;
    if (retry) {
      const delayMs = retryDelayMs(attempts, settings);
      const next = `Try ${attempts} of ${settings.maxAttempts} failed: ${message} Trying again in ${formatSeconds(delayMs)}.`;
      await updateClaimed(pair, lease.owner, { status: wanted ? 'pending' : 'undeploying', message: next, dueInMs: delayMs, release: true });
    } else {
      const tries = attempts > 1 ? ` (${attempts} tries)` : '';
      await updateClaimed(pair, lease.owner, { status: 'failed', message: `${wanted ? '' : 'Removing the gateway failed: '}${message}${tries}`, dueInMs: null, release: true });
    }
  }
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * A ready gateway read back from its cluster (every few seconds, by one replica), so one that
 * crashed or lost its replicas after it was ready is not shown as ready: the page never claims
 * more than the cluster says. True: it is not ready any more, and the job waits for it again.
 */
async function readBack(
  pair: ClaimedPair,
  identity: ApiIdentity,
  cluster: ResolvedCluster,
  manager: ContainerManager,
  write: (update: PairUpdate) => Promise<void>,
  settings: EngineSettings,
): Promise<boolean> {
  let observed;
  try {
    observed = await manager.status(identity, cluster.definition);
  } catch (error) {
    // An unreachable cluster says nothing new about the gateway; the next look tries again.
    console.warn(`observing ${pair.apiId}/${pair.clusterName} failed: ${describeFailure(error)}`);
    await write({ dueInMs: settings.observeEveryMs, release: true, touch: false });
    return false;
  }
  switch (observed.phase) {
    case 'ready':
      await write({ dueInMs: settings.observeEveryMs, release: true, touch: false });
      return false;
    case 'absent':
      await write({ status: 'failed', message: 'The gateway is missing from the cluster; Retry deploys it again.', dueInMs: null, release: true });
      return false;
    case 'failed':
      await write({ status: 'failed', message: observed.message ?? 'The gateway failed.', dueInMs: null, release: true });
      return false;
    default:
      await write({ status: 'waiting', message: observed.message ?? 'The gateway is not ready.', dueInMs: null });
      return true;
  }
}

/**
 * Ready is what the cluster says (available replicas, a healthy process), read back by the
 * lease holder until it holds; each look also renews the lease and notices a newer request.
 */
async function waitUntilReady(
  pair: ClaimedPair,
  lease: Lease,
  identity: ApiIdentity,
  cluster: ResolvedCluster,
  manager: ContainerManager,
  write: (update: PairUpdate) => Promise<void>,
  settings: EngineSettings,
): Promise<void> {
  const deadline = Date.now() + settings.readyTimeoutMs;
  let lastMessage = '';
  let pause = 500;
  while (Date.now() < deadline) {
    let observed;
    try {
      observed = await manager.status(identity, cluster.definition);
    } catch (error) {
      if (!isTransientFailure(error)) throw new PermanentFailure(describeFailure(error));
      observed = { phase: 'progressing' as const, message: `Reading the gateway's status failed (${describeFailure(error)}); looking again.` };
    }
    if (observed.phase === 'ready') {
      await write({ status: 'ready', message: observed.message ?? null, dueInMs: settings.observeEveryMs, release: true });
      return;
    }
    if (observed.phase === 'failed') throw new PermanentFailure(observed.message ?? 'The gateway failed to start.');
    const message = observed.message && observed.message !== lastMessage ? observed.message : undefined;
    if (message) lastMessage = message;
    await write({ ...(message ? { status: 'waiting' as const, message } : { touch: false }), renewLeaseMs: settings.leaseMs });
    if (lease.lost) throw new Superseded();
    await sleep(pause);
    pause = Math.min(5_000, Math.round(pause * 1.5));
  }
  throw new PermanentFailure(`The gateway was not ready after ${Math.round(settings.readyTimeoutMs / 1000)} s${lastMessage ? `: ${lastMessage}` : ''}.`);
}

async function deployableApi(row: NonNullable<Awaited<ReturnType<typeof loadApi>>>, identity: ApiIdentity, cluster: ResolvedCluster): Promise<DeployableApi> {
  const { api } = row;
  // Again at deploy, with names resolved: a name may have come to point at this machine.
  const refused = await endpointPolicyIssues([...api.productionEndpoints, ...api.sandboxEndpoints], identity.tenantDomain, { resolveNames: true });
  if (refused.length > 0) throw new Error(refused.join('; '));
  const platform = await gatewayPlatformSettings(identity.tenantId);
  const { properties } = cluster.definition;
  const gateway = gatewaySpecFor(
    { ...identity, openapi: api.openapi, productionEndpoints: api.productionEndpoints, sandboxEndpoints: api.sandboxEndpoints, security: api.security, tiers: api.tiers, cors: api.cors },
    platform.settings,
    // With an autoscaler each replica's share is reckoned from the minimum (Replicas): limits hold at the least.
    { replicas: properties.Replicas, accessUrl: properties.AccessURL },
  );
  return { ...identity, openapi: api.openapi, productionEndpoints: api.productionEndpoints, sandboxEndpoints: api.sandboxEndpoints, gateway, gatewayClientSecret: platform.clientSecret };
}

/**
 * Reads the API's ready gateways back from their clusters now rather than at their next turn,
 * and returns once each was looked at (one that is not ready any more is then waited for by
 * its job: deploymentsSettled). Tests use it; the pages read the records only.
 */
export async function observeSettledDeployments(apiId: string): Promise<void> {
  if ((await makeReadBackDue(apiId)) === 0) return;
  worker().wake();
  while (await readBackPending(apiId)) await sleep(25);
}

/**
 * Runs the pair's job again from its first try; idempotent, so it creates nothing twice. What
 * the job does follows the API: deploy when it is deployed on that cluster, else remove.
 */
export async function retryDeployment(actor: Actor, apiId: string, clusterName: string): Promise<void> {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That deployment');
  const database = await db();
  const [record] = await database
    .select({ id: deployments.id, state: apis.state })
    .from(deployments)
    .innerJoin(apis, eq(apis.id, deployments.apiId))
    .where(and(eq(deployments.apiId, apiId), eq(deployments.clusterName, clusterName), eq(deployments.tenantId, actor.tenantId)));
  if (!record) throw notFound('That deployment');
  const [selected] = await database
    .select()
    .from(apiClusterSelections)
    .where(and(eq(apiClusterSelections.apiId, apiId), eq(apiClusterSelections.clusterName, clusterName)));
  const status: DeploymentStatus = isDeployedState(record.state) && selected ? 'pending' : 'undeploying';
  await database.transaction(async (tx) => {
    await tx.update(deployments).set({ status, ...newRequest }).where(eq(deployments.id, record.id));
    await recordAudit(tx, actor, { action: 'api.deployment.retry', objectType: 'api', objectId: apiId, after: { cluster: clusterName, job: status === 'pending' ? 'deploy' : 'remove' } });
  });
  worker().wake();
}

export interface DeploymentView {
  clusterName: string;
  displayName: string;
  type: string;
  status: DeploymentStatus | 'not-deployed';
  message: string | null;
  updatedAt: string | null;
  accessUrl: string | null;
  /** How the cluster's replicas share each tier's rate limit, for people; null when nothing is limited. */
  rateLimits: string | null;
}

/**
 * Gateway replicas share no state: each enforces its share of a tier's rate (lib/gateway), so
 * a caller spread over the replicas gets the tier's rate in all.
 */
export function rateLimitNote(tiers: string[], securedByTokens: boolean, replicas: number, maxReplicas?: number): string | null {
  const limited = tiers.flatMap((tier) => {
    const rate = TIERS[tier as keyof typeof TIERS]?.requestsPerMinute;
    return typeof rate === 'number' ? [`${tier} ${Math.max(1, Math.ceil(rate / replicas))}/min`] : [];
  });
  if (!securedByTokens || limited.length === 0) return null;
  const scaling = maxReplicas !== undefined ? ` (autoscaled up to ${maxReplicas}; shares are reckoned from ${replicas}, so the total can grow with the pods)` : '';
  if (replicas === 1) return `One gateway replica enforces each tier's full rate: ${limited.join(', ')} per application.`;
  return `Each of ${replicas} gateway replicas enforces 1/${replicas} of a tier's rate: ${limited.join(', ')} per application and replica${scaling}.`;
}

export function accessUrlFor(accessUrl: string, api: { context: string; version: string }): string {
  return `${accessUrl.replace(/\/+$/, '')}${api.context}/${api.version}`;
}

/** Per selected (or still undeploying) cluster, the status as last read back. Polled by the Lifecycle tab. */
export async function deploymentViews(actor: Actor, apiId: string): Promise<DeploymentView[]> {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That API');
  const database = await db();
  // Polled by the Lifecycle tab: never the definition.
  const [api] = await database
    .select({ context: apis.context, version: apis.version, tiers: apis.tiers, security: apis.security })
    .from(apis)
    .where(and(eq(apis.id, apiId), eq(apis.tenantId, actor.tenantId)));
  if (!api) throw notFound('That API');
  const [records, selected, clusters] = await Promise.all([
    database.select().from(deployments).where(eq(deployments.apiId, apiId)),
    database.select().from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId)),
    resolveTenantClusters(actor),
  ]);
  const names = [...new Set([...selected.map((s) => s.clusterName), ...records.map((r) => r.clusterName)])].sort();
  return names.map((clusterName) => {
    const record = records.find((r) => r.clusterName === clusterName);
    const cluster = clusters.find((c) => c.definition.clusterName === clusterName)?.definition;
    return {
      clusterName,
      displayName: cluster?.displayName ?? clusterName,
      type: cluster?.type ?? 'unknown',
      status: record?.status ?? 'not-deployed',
      message: record?.message ?? null,
      updatedAt: record?.updatedAt.toISOString() ?? null,
      accessUrl: cluster ? accessUrlFor(cluster.properties.AccessURL, api) : null,
      rateLimits: cluster ? rateLimitNote(api.tiers, api.security.oauth2, cluster.properties.Replicas, cluster.properties.MaxReplicas) : null,
    };
  });
}

/**
 * After a start: work in flight is in the records and is picked up as leases run out (at once
 * where no other replica can be working on it: all of it on PGlite, the Local cluster's in the
 * replica that runs it). Gateways that lived in the previous process (the Local cluster's) are
 * deployed again. Nothing is left "applying" forever. Returns the number of APIs with work.
 */
export async function resumeDeployments(): Promise<number> {
  const handle = await appDatabase();
  const platform = await platformClusterConfig();
  const localClusters = platform.clusters.filter((c) => managerForType(c.type, platform.managers) === 'local').map((c) => c.clusterName);
  if (handle.kind === 'pglite') await releaseLeases();
  // Other replicas may run beside this one (without a Local cluster): only the Local cluster's records are surely ours.
  else if (holdsSingleReplicaLock()) await releaseLeases(localClusters);
  const database = handle.db;
  if (localClusters.length > 0) {
    await database
      .update(deployments)
      .set({ status: 'pending', ...newRequest })
      .where(and(inArray(deployments.clusterName, localClusters), inArray(deployments.status, ['pending', 'applying', 'waiting', 'ready'])));
  }
  const unsettled = await database
    .selectDistinct({ apiId: deployments.apiId })
    .from(deployments)
    .where(inArray(deployments.status, [...ACTIVE_STATUSES]));
  worker().wake();
  return unsettled.length;
}

/**
 * Applies every deployed API again, as when a next token signing key was published: each
 * gateway must load it before it may sign (lib/oauth/signing-keys.ts). Unchanged gateways are
 * not touched by their managers; changed ones reload (Local) or roll (clusters).
 */
export async function refreshAllGateways(): Promise<number> {
  const rows = await (await db())
    .selectDistinct({ apiId: deployments.apiId })
    .from(deployments)
    .where(notInArray(deployments.status, ['undeploying']));
  for (const { apiId } of rows) await reconcileApiDeployments(apiId);
  return rows.length;
}

export type DeploymentOutcome = 'ready' | 'failed' | 'progressing' | 'undeployed' | 'no-clusters';

/**
 * Where an API's deployments stand as one word, for pipelines waiting on them: ready once every
 * selected cluster is ready, failed as soon as one failed, undeployed once a state without
 * gateways has none left. Anything else is still on its way.
 */
export function deploymentOutcome(state: ApiState, views: Pick<DeploymentView, 'status'>[]): DeploymentOutcome {
  if (views.some((v) => v.status === 'failed')) return 'failed';
  const leaving = views.some((v) => v.status === 'undeploying');
  if (!isDeployedState(state)) return !leaving && views.every((v) => v.status === 'not-deployed') ? 'undeployed' : 'progressing';
  const wanted = views.filter((v) => v.status !== 'undeploying');
  if (leaving) return 'progressing';
  if (wanted.length === 0) return 'no-clusters';
  return wanted.every((v) => v.status === 'ready') ? 'ready' : 'progressing';
}

const WAIT_POLL_MS = 1_000;

/**
 * The deployment views once the outcome settles (anything but progressing) or `waitMs` passes,
 * whichever is first: a pipeline asks again until it settles instead of polling blindly.
 */
export async function waitForDeployments(actor: Actor, apiId: string, waitMs: number): Promise<{ state: ApiState; outcome: DeploymentOutcome; views: DeploymentView[] }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const views = await deploymentViews(actor, apiId);
    const [api] = await (await db()).select({ state: apis.state }).from(apis).where(and(eq(apis.id, apiId), eq(apis.tenantId, actor.tenantId)));
    if (!api) throw notFound('That API');
    const outcome = deploymentOutcome(api.state, views);
    if (outcome !== 'progressing' || Date.now() + WAIT_POLL_MS > deadline) return { state: api.state, outcome, views };
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
