import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLifecycleState, setClusterSelection, updateApi } from '../apis/apis.service';
import type { Actor } from '../actor';
import { replaceTenantClusters } from '../clusters/clusters.store';
import { gatewayLabelSelector } from '../containers/kubernetes/object-names';
import { FIRST_BUILD_TIMEOUT_MS, playDeploymentController, startRealCluster, type RealCluster } from '../test-support/kubernetes/real-clusters';
import type { DatabaseHandle } from '../db/drizzle';
import { deployments } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { configureDeploymentEngine, deploymentsSettled, deploymentViews, resumeDeployments, retryDeployment, type DeploymentView } from './deployments.service';
import { ApiServerRelay, freePort, seedPublisherWithApi, usePlatformClusters } from '../test-support/deployments';

/**
 * The deployment engine through the publisher's own calls, on two real API servers configured
 * with ServiceAccount tokens. No controllers run here, so a small loop plays the kubelet and
 * Deployment controller: it reports every gateway Deployment's replicas as available.
 */
let database: DatabaseHandle;
let actor: Actor;
let apiId: string;
let clusterA: RealCluster;
let clusterB: RealCluster;
let relayB: ApiServerRelay;
let stopController: () => void = () => undefined;

const api = () => ({ apiId, tenantId: actor.tenantId, tenantDomain: actor.tenantDomain, name: 'PetStore', version: '1.0.0', context: '/petstore' });

async function gatewayDeployments(cluster: RealCluster) {
  const apps = cluster.controlPlane.adminKubeConfig.makeApiClient(AppsV1Api);
  return (await apps.listNamespacedDeployment({ namespace: 'privatejet', labelSelector: gatewayLabelSelector(api()) })).items;
}

async function gatewayConfigMaps(cluster: RealCluster) {
  const core = cluster.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api);
  return (await core.listNamespacedConfigMap({ namespace: 'privatejet', labelSelector: gatewayLabelSelector(api()) })).items;
}

async function statuses(): Promise<Record<string, string>> {
  return Object.fromEntries((await deploymentViews(actor, apiId)).map((v) => [v.clusterName, v.status]));
}

beforeAll(async () => {
  // An unreachable API server is tried three times, 0.1 s then 0.2 s apart, before it shows as failed.
  configureDeploymentEngine({ maxAttempts: 3, retryDelayMs: 100 });
  database = await freshTestDatabase();
  usePlatformClusters();
  ({ actor, apiId } = await seedPublisherWithApi(database.db, { tenantDomain: 'example.com', context: '/petstore', endpoint: 'http://petstore.internal:8090' }));
  [clusterA, clusterB] = await Promise.all([startRealCluster('cluster-a', 'kubernetes'), startRealCluster('cluster-b', 'kubernetes')]);
  relayB = new ApiServerRelay(await freePort(), new URL(clusterB.cluster.properties.MasterURL));
  await relayB.open();
  await replaceTenantClusters(actor.tenantId, [clusterA.cluster, { ...clusterB.cluster, properties: { ...clusterB.cluster.properties, MasterURL: relayB.url } }]);
  stopController = playDeploymentController([clusterA, clusterB], { labelSelector: gatewayLabelSelector(api()) });
}, FIRST_BUILD_TIMEOUT_MS);

afterAll(async () => {
  stopController();
  await relayB?.close();
  await Promise.all([clusterA?.controlPlane.stop(), clusterB?.controlPlane.stop()]);
  await database?.close();
});

describe('publishing to two real clusters', () => {
  it('publish deploys to both in parallel; ready is read back from the Deployments', async () => {
    await setClusterSelection(actor, apiId, ['cluster-a', 'cluster-b']);
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
    for (const cluster of [clusterA, clusterB]) {
      expect(await gatewayDeployments(cluster)).toHaveLength(1);
      expect(await gatewayConfigMaps(cluster)).toHaveLength(1);
    }
  }, 120_000);

  it('saving a published API re-applies it, rolling the gateway with a new config hash', async () => {
    const before = (await gatewayDeployments(clusterA))[0]!.spec!.template.metadata!.annotations!;
    await updateApi(actor, {
      apiId,
      resources: 'GET /pets\nGET /pets/{petId}',
      description: 'Pets',
      tags: [],
      visibility: 'public',
      productionEndpoints: ['http://petstore-v2.internal:8090'],
      tiers: ['Unlimited'],
      securityOauth2: true,
      securityBasic: false,
      corsEnabled: false,
      corsOrigins: [],
    });
    await deploymentsSettled(apiId);
    const after = (await gatewayDeployments(clusterA))[0]!.spec!.template.metadata!.annotations!;
    expect(after).not.toEqual(before);
    expect(JSON.stringify((await gatewayConfigMaps(clusterA))[0]!.data)).toContain('petstore-v2.internal');
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
  }, 120_000);

  it('block removes every object, the ConfigMap too; re-publish brings them back', async () => {
    await changeLifecycleState(actor, apiId, 'BLOCKED');
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'not-deployed', 'cluster-b': 'not-deployed' });
    for (const cluster of [clusterA, clusterB]) {
      expect(await gatewayDeployments(cluster)).toHaveLength(0);
      expect(await gatewayConfigMaps(cluster)).toHaveLength(0);
    }
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
    expect(await gatewayDeployments(clusterB)).toHaveLength(1);
  }, 120_000);

  it('changing the selection while published applies just the difference', async () => {
    await setClusterSelection(actor, apiId, ['cluster-a']);
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready' });
    expect(await gatewayDeployments(clusterB)).toHaveLength(0);
    expect(await gatewayDeployments(clusterA)).toHaveLength(1);
  }, 120_000);

  it('an API server that is down fails only its cluster; Retry after it is back creates nothing twice', async () => {
    await relayB.close();
    const untouched = (await deploymentViews(actor, apiId)).find((v) => v.clusterName === 'cluster-a')!.updatedAt;
    // Slower back-off for a moment, so the record can be seen between two tries.
    configureDeploymentEngine({ retryDelayMs: 500 });
    await setClusterSelection(actor, apiId, ['cluster-a', 'cluster-b']);
    let between: DeploymentView | undefined;
    for (let i = 0; i < 400 && !between; i++) {
      between = (await deploymentViews(actor, apiId)).find((v) => v.clusterName === 'cluster-b' && v.message?.startsWith('Try 1 of 3 failed'));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // each failed try is on the record the page shows, with the wait before the next
    expect(between).toMatchObject({ status: 'pending', message: expect.stringMatching(/^Try 1 of 3 failed: .*(ECONNREFUSED|connect|reach).* Trying again in 0\.5 s\.$/is) });
    await deploymentsSettled(apiId);
    configureDeploymentEngine({ retryDelayMs: 100 });
    const views = await deploymentViews(actor, apiId);
    expect(views.find((v) => v.clusterName === 'cluster-a')!.status).toBe('ready');
    // only the difference was applied: cluster-a's record was not touched
    expect(views.find((v) => v.clusterName === 'cluster-a')!.updatedAt).toBe(untouched);
    const failed = views.find((v) => v.clusterName === 'cluster-b')!;
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/ECONNREFUSED|connect|reach/i);
    expect(failed.message).toContain('(3 tries)');

    await relayB.open();
    await retryDeployment(actor, apiId, 'cluster-b');
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
    await retryDeployment(actor, apiId, 'cluster-b');
    await deploymentsSettled(apiId);
    expect(await gatewayDeployments(clusterB)).toHaveLength(1);
    expect(await gatewayConfigMaps(clusterB)).toHaveLength(1);
  }, 120_000);

  it('a gateway that does not turn ready within the timeout shows as failed, not waiting forever', async () => {
    stopController();
    configureDeploymentEngine({ readyTimeoutMs: 2000 });
    try {
      // a new endpoint rolls the gateway; with no one playing the controller, its new pods never come
      await updateApi(actor, {
        apiId,
        resources: 'GET /pets',
        description: 'Pets',
        tags: [],
        visibility: 'public',
        productionEndpoints: ['http://petstore-v3.internal:8090'],
        tiers: ['Unlimited'],
        securityOauth2: true,
        securityBasic: false,
        corsEnabled: false,
        corsOrigins: [],
      });
      await deploymentsSettled(apiId);
      const views = await deploymentViews(actor, apiId);
      expect(views.map((v) => v.status)).toEqual(['failed', 'failed']);
      expect(views[0]!.message).toMatch(/^The gateway was not ready after 2 s/);
    } finally {
      configureDeploymentEngine({ readyTimeoutMs: 180_000 });
      stopController = playDeploymentController([clusterA, clusterB], { labelSelector: gatewayLabelSelector(api()) });
    }
    for (const cluster of ['cluster-a', 'cluster-b']) await retryDeployment(actor, apiId, cluster);
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
  }, 120_000);

  it('after a restart, a record left "applying" is resumed, not left in flight', async () => {
    await database.db.update(deployments).set({ status: 'applying' }).where(eq(deployments.apiId, apiId));
    expect(await resumeDeployments()).toBe(1);
    await deploymentsSettled(apiId);
    expect(await statuses()).toEqual({ 'cluster-a': 'ready', 'cluster-b': 'ready' });
  }, 120_000);
});
