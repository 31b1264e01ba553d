import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiSchema } from '../apis/apis.schema';
import { changeLifecycleState, createApi, setClusterSelection } from '../apis/apis.service';
import { stageDefinition } from '../apis/definition-uploads.service';
import type { Actor } from '../actor';
import { replaceTenantClusters } from '../clusters/clusters.store';
import { gatewayLabelSelector } from '../containers/kubernetes/object-names';
import { FIRST_BUILD_TIMEOUT_MS, playDeploymentController, startRealCluster, type RealCluster } from '../test-support/kubernetes/real-clusters';
import type { DatabaseHandle } from '../db/drizzle';
import { tenants, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { largeDefinitionJson } from '../test-support/large-definition';
import { deploymentsSettled, deploymentViews } from './deployments.service';
import { usePlatformClusters } from '../test-support/deployments';

/**
 * A 13 MB definition published to a real API server (kube-apiserver + etcd, which refuse a
 * ConfigMap over 1 MiB): the gateway's objects are accepted, and the ConfigMap read back holds
 * the routes, not the document. A small loop plays the Deployment controller, as in
 * deployments.int.test.ts.
 */
let database: DatabaseHandle;
let actor: Actor;
let cluster: RealCluster;
let stopController: () => void = () => undefined;
const big = largeDefinitionJson(13_000_000);

beforeAll(async () => {
  database = await freshTestDatabase();
  usePlatformClusters();
  const [tenant] = await database.db.insert(tenants).values({ domain: 'example.com', displayName: 'Example' }).returning();
  const [user] = await database.db.insert(users).values({ tenantId: tenant!.id, username: 'pub', displayName: 'Pub', passwordHash: 'x', roles: ['publisher'] }).returning();
  actor = { userId: user!.id, username: 'pub', displayName: 'Pub', tenantId: tenant!.id, tenantDomain: 'example.com', roles: ['publisher'] };
  cluster = await startRealCluster('cluster-large', 'kubernetes');
  await replaceTenantClusters(actor.tenantId, [cluster.cluster]);
}, FIRST_BUILD_TIMEOUT_MS);

afterAll(async () => {
  stopController();
  await cluster?.controlPlane.stop();
  await database?.close();
});

describe('a 13 MB definition on a real API server', () => {
  it('publishes: the objects are accepted and the ConfigMap holds only routes', async () => {
    const staged = await stageDefinition(actor, { text: big.text, fileName: 'provider.json' });
    const { id: apiId } = await createApi(
      actor,
      createApiSchema.parse({ source: 'file', definitionUpload: staged.id, name: 'Provider', version: '1.0.0', context: '/provider', productionEndpoints: 'http://provider.internal:8080', tiers: ['Gold'], securityOauth2: 'on' }),
    );
    const api = { apiId, tenantId: actor.tenantId, tenantDomain: actor.tenantDomain, name: 'Provider', version: '1.0.0', context: '/provider' };
    const core = cluster.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api);
    // Plays the Deployment controller: the gateway's Deployment reports its replicas available.
    stopController = playDeploymentController([cluster], { labelSelector: gatewayLabelSelector(api), available: 2 });

    await setClusterSelection(actor, apiId, ['cluster-large']);
    const started = performance.now();
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    const publishMs = performance.now() - started;
    const [view] = await deploymentViews(actor, apiId);
    expect(view).toMatchObject({ clusterName: 'cluster-large', status: 'ready' });

    const [configMap] = (await core.listNamespacedConfigMap({ namespace: 'privatejet', labelSelector: gatewayLabelSelector(api) })).items;
    const stored = Buffer.byteLength(JSON.stringify(configMap));
    console.info(`published ${big.paths} paths to a real API server: ready in ${Math.round(publishMs)} ms; the ConfigMap as stored is ${Math.round(stored / 1024)} KiB`);
    expect(stored).toBeLessThan(1024 * 1024);
    expect(configMap!.data!['operations.map']!.split('\n').filter((line) => line.startsWith('^')).length).toBeGreaterThan(big.paths * 2);
    expect(JSON.stringify(configMap!.data)).not.toContain('see [the guide]');
  }, 240_000);
});
