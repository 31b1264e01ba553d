import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeBinaries } from '../../../tools/kube/binaries';
import { KubeError } from '../kube-errors';
import { gatewayLabelSelector, gatewayObjectName } from '../kubernetes/object-names';
import { sampleApi } from '../../test-support/kubernetes/sample-api';
import { FIRST_BUILD_TIMEOUT_MS, START_TIMEOUT_MS, startRealCluster, type RealCluster } from '../../test-support/kubernetes/real-clusters';
import { SWAGGER_KEY, type OperatorApiManifest } from './manifests';
import { createWso2ApiOperatorManager } from './wso2-api-operator-manager';

/**
 * The wso2-api-operator manager against two real kube-apiservers with the committed API CRD
 * installed and the RBAC of deploy/rbac/wso2-api-operator.yaml. No operator runs: the test
 * writes the API's status as the operator would.
 */

const namespace = 'privatejet';
let east: RealCluster;
let west: RealCluster;
let clock = Date.parse('2025-01-02T03:04:05Z');
const manager = createWso2ApiOperatorManager({ now: () => new Date((clock += 1000)) });
const crd = parse(readFileSync(path.resolve(__dirname, '../../../deploy/crds/apis.wso2.com_v1alpha1_api.yaml'), 'utf8')) as V1CustomResourceDefinition;

async function installCrd(real: RealCluster): Promise<void> {
  const config = real.controlPlane.adminKubeConfig;
  await KubernetesObjectApi.makeApiClient(config).patch(crd as KubernetesObject, undefined, undefined, 'privatejet-test', true, PatchStrategy.ServerSideApply);
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await extensions.readCustomResourceDefinition({ name: 'apis.wso2.com' });
    if (current.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')) return;
    if (Date.now() > deadline) throw new Error('the API CRD was not established in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function objectsOf(real: RealCluster, api: Parameters<typeof gatewayLabelSelector>[0]): Promise<{ ConfigMap: string[]; API: string[] }> {
  const client = KubernetesObjectApi.makeApiClient(real.controlPlane.adminKubeConfig);
  const names = async (apiVersion: string, kind: string) =>
    (await client.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, gatewayLabelSelector(api))).items.map((item) => item.metadata?.name ?? '');
  return { ConfigMap: await names('v1', 'ConfigMap'), API: await names('wso2.com/v1alpha1', 'API') };
}

function customObjects(real: RealCluster): CustomObjectsApi {
  return real.controlPlane.adminKubeConfig.makeApiClient(CustomObjectsApi);
}

async function readOperatorApi(real: RealCluster, name: string): Promise<OperatorApiManifest> {
  return (await customObjects(real).getNamespacedCustomObject({ group: 'wso2.com', version: 'v1alpha1', namespace, plural: 'apis', name })) as OperatorApiManifest;
}

describe('wso2-api-operator manager against two real API servers', () => {
  beforeAll(async () => {
    await ensureKubeBinaries();
  }, FIRST_BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    [east, west] = await Promise.all([
      startRealCluster('east', 'wso2-api-operator', { JWTSecurityCustomResourceName: 'securityjwt' }),
      startRealCluster('west', 'wso2-api-operator'),
    ]);
    await Promise.all([installCrd(east), installCrd(west)]);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([east?.controlPlane.stop(), west?.controlPlane.stop()]);
  });

  const api = sampleApi();
  const name = gatewayObjectName(api);

  it('has every permission it needs, the operator\'s CRD included', async () => {
    for (const real of [east, west]) expect(await manager.checkAccess(real.cluster)).toMatchObject({ reachable: true, ready: true });
  });

  it('deploys the definition ConfigMap and the API object to both clusters', async () => {
    const results = await Promise.all([east, west].map((real) => manager.deploy(api, real.cluster)));
    expect(results[0]!.configHash).toMatch(/^[0-9a-f]{16}$/);

    for (const real of [east, west]) {
      expect(await objectsOf(real, api)).toEqual({ ConfigMap: [name], API: [name] });
      const operatorApi = await readOperatorApi(real, name);
      expect(operatorApi.spec).toMatchObject({ definition: { swaggerConfigmapNames: [name], type: 'swagger' }, mode: 'privateJet', replicas: 2, override: true });
    }
    const configMap = await east.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name, namespace });
    const definition = JSON.parse(configMap.data![SWAGGER_KEY]!) as Record<string, unknown>;
    expect(definition).toMatchObject({ 'x-wso2-basePath': '/petstore/1.0.0', security: [{ securityjwt: [] }] });
    const westMap = await west.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name, namespace });
    expect(JSON.parse(westMap.data![SWAGGER_KEY]!)).toMatchObject({ security: [{ 'default-security-jwt': [] }] });
  });

  it('reports progressing until the operator writes a status, then ready', async () => {
    expect(await manager.status(api, east.cluster)).toMatchObject({ phase: 'progressing', message: 'applied; waiting for the operator' });
    const current = await readOperatorApi(east, name);
    await customObjects(east).replaceNamespacedCustomObjectStatus({
      group: 'wso2.com',
      version: 'v1alpha1',
      namespace,
      plural: 'apis',
      name,
      body: { ...current, status: { replicas: 2 } },
    });
    expect(await manager.status(api, east.cluster)).toMatchObject({ phase: 'ready', desiredReplicas: 2 });
  });

  it('re-applies a changed definition with a new updateTimeStamp, without duplicates', async () => {
    const before = await readOperatorApi(east, name);
    const changed = sampleApi({ productionEndpoints: ['http://petstore-v2.backend.svc:8090'] });
    const result = await manager.deploy(changed, east.cluster);
    await manager.deploy(changed, east.cluster);

    const after = await readOperatorApi(east, name);
    expect(Number(after.spec.updateTimeStamp)).toBeGreaterThan(Number(before.spec.updateTimeStamp));
    const configMap = await east.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name, namespace });
    expect(JSON.parse(configMap.data![SWAGGER_KEY]!)).toMatchObject({ 'x-wso2-production-endpoints': { urls: ['http://petstore-v2.backend.svc:8090'] } });
    expect(result.configHash).not.toBe((await manager.deploy(api, west.cluster)).configHash);
    expect(await objectsOf(east, api)).toEqual({ ConfigMap: [name], API: [name] });
  });

  it('keeps two versions apart', async () => {
    const v2 = sampleApi({ version: '2.0.0' });
    await manager.deploy(v2, west.cluster);
    expect(await objectsOf(west, v2)).toEqual({ ConfigMap: [gatewayObjectName(v2)], API: [gatewayObjectName(v2)] });
    expect(await objectsOf(west, api)).toEqual({ ConfigMap: [name], API: [name] });
  });

  it('undeploys the API object and its ConfigMap, and deploys again afterwards', async () => {
    await manager.undeploy(api, east.cluster);
    expect(await objectsOf(east, api)).toEqual({ ConfigMap: [], API: [] });
    expect((await manager.status(api, east.cluster)).phase).toBe('absent');
    await manager.undeploy(api, east.cluster);

    await manager.deploy(api, east.cluster);
    expect(await objectsOf(east, api)).toEqual({ ConfigMap: [name], API: [name] });
  });

  it('fails only the cluster whose API server is down', async () => {
    await west.controlPlane.stop();
    const next = sampleApi({ version: '3.0.0' });
    const [eastResult, westResult] = await Promise.allSettled([manager.deploy(next, east.cluster), manager.deploy(next, west.cluster)]);
    expect(eastResult.status).toBe('fulfilled');
    expect(westResult.status).toBe('rejected');
    const error = (westResult as PromiseRejectedResult).reason as KubeError;
    expect(error).toBeInstanceOf(KubeError);
    expect(['unreachable', 'timeout']).toContain(error.kind);
    expect(error.message).toContain(gatewayObjectName(next));
  });

  it('says so when the operator\'s CRD is not installed, and undeploy still completes', async () => {
    const extensions = east.controlPlane.adminKubeConfig.makeApiClient(ApiextensionsV1Api);
    await extensions.deleteCustomResourceDefinition({ name: 'apis.wso2.com' });
    const deadline = Date.now() + 30_000;
    while ((await extensions.listCustomResourceDefinition()).items.length > 0) {
      if (Date.now() > deadline) throw new Error('the API CRD was not removed in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const error = await manager.deploy(sampleApi({ version: '4.0.0' }), east.cluster).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ kind: 'not-found', message: expect.stringContaining('does not serve wso2.com/v1alpha1') });
    expect((error as KubeError).hint).toContain('WSO2 API Operator');

    // The definition was applied before the API failed; undeploy removes it, the API kind being gone.
    const orphan = sampleApi({ version: '4.0.0' });
    await manager.undeploy(orphan, east.cluster);
    const left = await east.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace, labelSelector: gatewayLabelSelector(orphan) });
    expect(left.items).toEqual([]);
  });
});
