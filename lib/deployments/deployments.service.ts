import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { requireRole } from '../auth/actor';
import { resolveTenantClusters, type ResolvedCluster } from '../clusters/clusters.service';
import type { ApiIdentity, DeployableApi } from '../containers/container-manager';
import { KubeError } from '../containers/kube-errors';
import { containerManagerFor } from '../containers/registry';
import { db } from '../db/drizzle';
import { apiClusterSelections, apis, deployments, tenants, type ApiState, type DeploymentStatus } from '../db/schema';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import { TIERS } from '../apis/tiers';
import { isDeployedState } from '../lifecycle/lifecycle';
import { gatewaySpecFor } from '../gateway/gateway-spec-for';
import { endpointPolicyIssues } from '../net/endpoint-policy';
import { gatewayPlatformSettings } from './platform-settings';

/**
 * Brings each (API, cluster) to what the API's state and cluster selection ask for. Every
 * pair has its own record and its own job: jobs of one API run in parallel across clusters,
 * one failing cluster never blocks or rolls back the others, and jobs for the same pair are
 * serialized so a retry or an edit never races an apply in flight.
 */

const READY_POLL_MS = 500;
const READY_TIMEOUT_MS = 180_000;

const running = new Map<string, Promise<void>>();

function jobKey(apiId: string, clusterName: string): string {
  return `${apiId}\u0000${clusterName}`;
}

/** Queues a job for one pair after any job already running for it. */
function enqueue(apiId: string, clusterName: string): Promise<void> {
  const key = jobKey(apiId, clusterName);
  const previous = running.get(key) ?? Promise.resolve();
  const next = previous.then(() => convergePair(apiId, clusterName)).catch((error: unknown) => {
    console.error(`deployment job ${apiId}/${clusterName} crashed:`, error);
  });
  running.set(key, next);
  void next.finally(() => {
    if (running.get(key) === next) running.delete(key);
  });
  return next;
}

/** Resolves when every job queued so far for the API has finished (tests and benchmarks wait on it). */
export async function deploymentsSettled(apiId?: string): Promise<void> {
  const pending = [...running.entries()].filter(([key]) => !apiId || key.startsWith(`${apiId}\u0000`)).map(([, job]) => job);
  await Promise.all(pending);
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

async function setStatus(apiId: string, clusterName: string, status: DeploymentStatus, message: string | null, extra: { configHash?: string; signingKeyIds?: string[] } = {}) {
  await (await db())
    .update(deployments)
    .set({ status, message, updatedAt: new Date(), ...extra })
    .where(and(eq(deployments.apiId, apiId), eq(deployments.clusterName, clusterName)));
}

function describeFailure(error: unknown): string {
  if (error instanceof KubeError) return error.hint ? `${error.message} — ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Records what each selected cluster should get and starts the jobs. Returns once the
 * records are written; the jobs run on (the Lifecycle tab shows them live).
 * `changedClustersOnly` (a selection change) leaves clusters that already have the API alone
 * and applies just the difference; otherwise every selected cluster is applied again.
 */
export async function reconcileApiDeployments(apiId: string, options: { changedClustersOnly?: boolean } = {}): Promise<void> {
  const row = await loadApiIdentity(apiId);
  if (!row) return;
  const database = await db();
  const selected = await database.select().from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
  const desired = isDeployedState(row.api.state) ? selected.map((s) => s.clusterName) : [];
  let toApply = desired;
  if (desired.length > 0) {
    const values = desired.map((clusterName) => ({ tenantId: row.api.tenantId, apiId, clusterName, status: 'pending' as const }));
    const insert = database.insert(deployments).values(values);
    const written = await insert
      .onConflictDoUpdate({
        target: [deployments.apiId, deployments.clusterName],
        set: { status: 'pending', message: null, updatedAt: new Date() },
        // A selection change re-applies only clusters on their way out (picked again).
        ...(options.changedClustersOnly ? { setWhere: eq(deployments.status, 'undeploying') } : {}),
      })
      .returning({ clusterName: deployments.clusterName });
    toApply = written.map((w) => w.clusterName);
  }
  const stale = await database
    .update(deployments)
    .set({ status: 'undeploying', message: null, updatedAt: new Date() })
    .where(and(eq(deployments.apiId, apiId), desired.length > 0 ? notInArray(deployments.clusterName, desired) : sql`true`))
    .returning({ clusterName: deployments.clusterName });
  for (const clusterName of [...toApply, ...stale.map((s) => s.clusterName)]) void enqueue(apiId, clusterName);
}

async function convergePair(apiId: string, clusterName: string): Promise<void> {
  const row = await loadApi(apiId);
  const database = await db();
  const [record] = await database.select().from(deployments).where(and(eq(deployments.apiId, apiId), eq(deployments.clusterName, clusterName)));
  if (!row || !record) return;
  const identity = identityOf(row);
  const cluster = (await resolveTenantClusters(identity)).find((c) => c.definition.clusterName === clusterName);
  const wanted = record.status !== 'undeploying';

  if (!cluster) {
    // The cluster left the configuration: nothing can be reached there any more.
    if (wanted) await setStatus(apiId, clusterName, 'failed', `Cluster "${clusterName}" is no longer configured for this tenant.`);
    else await database.delete(deployments).where(eq(deployments.id, record.id));
    return;
  }
  try {
    const manager = await containerManagerFor(cluster.manager);
    if (!wanted) {
      await manager.undeploy(identity, cluster.definition);
      await database.delete(deployments).where(and(eq(deployments.id, record.id), eq(deployments.status, 'undeploying')));
      return;
    }
    await database.update(deployments).set({ status: 'applying', message: null, attempts: sql`${deployments.attempts} + 1`, updatedAt: new Date() }).where(eq(deployments.id, record.id));
    const deployable = await deployableApi(row, identity, cluster);
    const { configHash } = await manager.deploy(deployable, cluster.definition);
    // Which token signing keys this gateway now holds: a next key signs once every gateway has it.
    const signingKeyIds = deployable.gateway.authorizationServer.keys.map((key) => key.kid);
    await setStatus(apiId, clusterName, 'waiting', 'Applied; waiting for the gateway to become ready.', { configHash, signingKeyIds });
    await waitUntilReady(identity, cluster, manager);
  } catch (error) {
    await setStatus(apiId, clusterName, 'failed', describeFailure(error));
  }
}

async function deployableApi(row: NonNullable<Awaited<ReturnType<typeof loadApi>>>, identity: ApiIdentity, cluster: ResolvedCluster): Promise<DeployableApi> {
  const { api } = row;
  // Again at deploy, with names resolved: a name may have come to point at this machine.
  const refused = await endpointPolicyIssues(api.productionEndpoints, identity.tenantDomain, { resolveNames: true });
  if (refused.length > 0) throw new Error(refused.join('; '));
  const platform = await gatewayPlatformSettings(identity.tenantId);
  const { properties } = cluster.definition;
  const gateway = gatewaySpecFor(
    { ...identity, openapi: api.openapi, productionEndpoints: api.productionEndpoints, security: api.security, tiers: api.tiers, cors: api.cors },
    platform.settings,
    // With an autoscaler each replica's share is reckoned from the minimum (Replicas): limits hold at the least.
    { replicas: properties.Replicas, accessUrl: properties.AccessURL },
  );
  return { ...identity, openapi: api.openapi, productionEndpoints: api.productionEndpoints, gateway, gatewayClientSecret: platform.clientSecret };
}

/** Ready is what the cluster says (available replicas, a healthy process), read back until it holds. */
async function waitUntilReady(identity: ApiIdentity, cluster: ResolvedCluster, manager: Awaited<ReturnType<typeof containerManagerFor>>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastMessage = '';
  while (Date.now() < deadline) {
    const observed = await manager.status(identity, cluster.definition);
    if (observed.phase === 'ready') {
      await setStatus(identity.apiId, cluster.definition.clusterName, 'ready', observed.message ?? null);
      return;
    }
    if (observed.phase === 'failed') throw new Error(observed.message ?? 'The gateway failed to start.');
    if (observed.message && observed.message !== lastMessage) {
      lastMessage = observed.message;
      await setStatus(identity.apiId, cluster.definition.clusterName, 'waiting', observed.message);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`The gateway was not ready after ${READY_TIMEOUT_MS / 1000} s${lastMessage ? `: ${lastMessage}` : ''}.`);
}

const OBSERVE_EVERY_MS = 5_000;
const lastObserved = new Map<string, number>();

/**
 * Reads settled gateways back from their clusters (at most every few seconds per pair), so a
 * gateway that crashed or lost its replicas after it was ready is not shown as ready: the page
 * never claims more than the cluster says. Pairs with a job in flight are left to the job.
 */
export async function observeSettledDeployments(apiId: string, options: { minIntervalMs?: number } = {}): Promise<void> {
  const minIntervalMs = options.minIntervalMs ?? OBSERVE_EVERY_MS;
  const row = await loadApiIdentity(apiId);
  if (!row) return;
  const database = await db();
  const records = await database
    .select()
    .from(deployments)
    .where(and(eq(deployments.apiId, apiId), inArray(deployments.status, ['ready', 'waiting'])));
  const now = Date.now();
  const due = records.filter((r) => !running.has(jobKey(apiId, r.clusterName)) && now - (lastObserved.get(jobKey(apiId, r.clusterName)) ?? 0) >= minIntervalMs);
  if (due.length === 0) return;
  const identity = identityOf(row);
  const clusters = await resolveTenantClusters(identity);
  await Promise.all(
    due.map(async (record) => {
      lastObserved.set(jobKey(apiId, record.clusterName), now);
      const cluster = clusters.find((c) => c.definition.clusterName === record.clusterName);
      if (!cluster) return;
      try {
        const observed = await (await containerManagerFor(cluster.manager)).status(identity, cluster.definition);
        const status: DeploymentStatus = observed.phase === 'ready' ? 'ready' : observed.phase === 'failed' ? 'failed' : 'waiting';
        const message = observed.phase === 'absent' ? 'The gateway is missing from the cluster; Retry deploys it again.' : (observed.message ?? null);
        if (status !== record.status || (status !== 'ready' && message !== record.message)) {
          await database
            .update(deployments)
            .set({ status: observed.phase === 'absent' ? 'failed' : status, message, updatedAt: new Date() })
            .where(and(eq(deployments.id, record.id), inArray(deployments.status, ['ready', 'waiting'])));
        }
      } catch (error) {
        // An unreachable cluster says nothing new about the gateway; the next look tries again.
        console.warn(`observing ${apiId}/${record.clusterName} failed: ${describeFailure(error)}`);
      }
    }),
  );
}

/** Runs the pair's job again; idempotent, so it creates nothing twice. */
export async function retryDeployment(actor: Actor, apiId: string, clusterName: string): Promise<void> {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That deployment');
  const [record] = await (await db())
    .select()
    .from(deployments)
    .where(and(eq(deployments.apiId, apiId), eq(deployments.clusterName, clusterName), eq(deployments.tenantId, actor.tenantId)));
  if (!record) throw notFound('That deployment');
  await setStatus(apiId, clusterName, record.status === 'undeploying' ? 'undeploying' : 'pending', null);
  void enqueue(apiId, clusterName);
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
  await observeSettledDeployments(apiId);
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
 * After a restart: finish what was in flight, and bring back gateways that lived in this
 * process (the Local cluster's) — nothing is left "applying" forever.
 */
export async function resumeDeployments(): Promise<number> {
  const database = await db();
  const inFlight = await database
    .select({ apiId: deployments.apiId })
    .from(deployments)
    .where(inArray(deployments.status, ['pending', 'applying', 'waiting', 'undeploying', 'ready']));
  const apiIds = [...new Set(inFlight.map((r) => r.apiId))];
  for (const apiId of apiIds) await reconcileApiDeployments(apiId);
  return apiIds.length;
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
