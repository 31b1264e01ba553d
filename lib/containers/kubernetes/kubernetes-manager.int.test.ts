import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetCluster } from '../container-manager';
import { KubeError } from '../kube-errors';
import { kubernetesContainerManager as manager } from './kubernetes-manager';
import { haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { CONFIG_HASH_ANNOTATION, GATEWAY_SECRET_KEY } from './manifests';
import { gatewayLabelSelector, gatewayObjectName } from './object-names';
import { sampleApi } from '../../test-support/kubernetes/sample-api';
import { FIRST_BUILD_TIMEOUT_MS, START_TIMEOUT_MS, reportDeploymentStatus, startRealCluster, type RealCluster } from '../../test-support/kubernetes/real-clusters';
import { ensureKubeBinaries } from '../../../tools/kube/binaries';

/**
 * The native manager against two real kube-apiservers at once, each configured with a service
 * account token and the RBAC of deploy/rbac/kubernetes.yaml. No controllers run, so the test
 * writes the Deployment's status as the Deployment controller would.
 */

const namespace = 'privatejet';
let east: RealCluster;
let west: RealCluster;

const KINDS = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
] as const;

/** What is in the cluster for one API, per kind, seen with admin rights and found by label. */
async function objectsOf(real: RealCluster, api: Parameters<typeof gatewayLabelSelector>[0]): Promise<Record<string, string[]>> {
  const client = KubernetesObjectApi.makeApiClient(real.controlPlane.adminKubeConfig);
  const entries = await Promise.all(
    KINDS.map(async ({ apiVersion, kind }) => {
      const list = await client.list<KubernetesObject>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, gatewayLabelSelector(api));
      return [kind, list.items.map((item) => item.metadata?.name ?? '')] as const;
    }),
  );
  return Object.fromEntries(entries);
}

function admin(real: RealCluster) {
  const config = real.controlPlane.adminKubeConfig;
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
  };
}

describe('kubernetes manager against two real API servers', () => {
  beforeAll(async () => {
    await ensureKubeBinaries();
  }, FIRST_BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    [east, west] = await Promise.all([startRealCluster('east', 'kubernetes'), startRealCluster('west', 'kubernetes')]);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([east?.controlPlane.stop(), west?.controlPlane.stop()]);
  });

  const api = sampleApi();
  const name = gatewayObjectName(api);

  it('has every permission it needs through the committed RBAC', async () => {
    const reports = await Promise.all([east, west].map((real) => manager.checkAccess(real.cluster)));
    for (const report of reports) expect(report).toMatchObject({ reachable: true, namespaceExists: true, ready: true });
  });

  it('deploys ConfigMap, Secret, Deployment, Service and Ingress to both clusters', async () => {
    const results = await Promise.all([east, west].map((real) => manager.deploy(api, real.cluster)));
    expect(results[0]!.configHash).toMatch(/^[0-9a-f]{16}$/);
    expect(results[1]).toEqual(results[0]);

    for (const real of [east, west]) {
      expect(await objectsOf(real, api)).toEqual({ ConfigMap: [name], Secret: [name], Deployment: [name], Service: [name], Ingress: [name], HorizontalPodAutoscaler: [] });
      const { core, apps, networking } = admin(real);
      const configMap = await core.readNamespacedConfigMap({ name, namespace });
      expect(configMap.data).toEqual(haproxyGatewayFiles(api.gateway));
      expect(configMap.metadata?.managedFields?.map((field) => field.manager)).toEqual(['privatejet']);
      const secret = await core.readNamespacedSecret({ name, namespace });
      expect(Buffer.from(secret.data![GATEWAY_SECRET_KEY]!, 'base64').toString()).toBe(api.gatewayClientSecret);

      const deployment = await apps.readNamespacedDeployment({ name, namespace });
      expect(deployment.spec?.replicas).toBe(2);
      expect(deployment.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(results[0]!.configHash);
      expect(deployment.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'privatejet', 'privatejet.io/tenant': 'carbon.super', 'privatejet.io/api-version': '1.0.0' });

      const service = await core.readNamespacedService({ name, namespace });
      // The API server allocated a cluster IP: the Service was accepted as a real one.
      expect(service.spec?.clusterIP).toMatch(/^10\.0\.([0-9]|1[0-5])\.\d+$/); // in the API server's 10.0.0.0/20

      const ingress = await networking.readNamespacedIngress({ name, namespace });
      expect(ingress.spec?.ingressClassName).toBe('nginx');
      expect(ingress.spec?.rules?.[0]).toMatchObject({ host: `${real.cluster.clusterName}.apis.example.com`, http: { paths: [{ path: '/petstore/1.0.0', pathType: 'Prefix' }] } });
    }
  });

  it('reports progressing until the Deployment has its replicas available, then ready', async () => {
    expect(await manager.status(api, east.cluster)).toMatchObject({ phase: 'progressing', desiredReplicas: 2 });

    await reportDeploymentStatus(east.controlPlane, namespace, name, 1);
    const halfway = await manager.status(api, east.cluster);
    expect(halfway).toMatchObject({ phase: 'progressing', readyReplicas: 1, desiredReplicas: 2 });
    expect(halfway.message).toContain('1 of 2 replicas available');

    await reportDeploymentStatus(east.controlPlane, namespace, name, 2);
    expect(await manager.status(api, east.cluster)).toMatchObject({ phase: 'ready', readyReplicas: 2, desiredReplicas: 2 });
    // West has had no controller report: still progressing there.
    expect((await manager.status(api, west.cluster)).phase).toBe('progressing');
  });

  it("explains a gateway that is not ready from its pods' states, and fails it when only a fix helps", async () => {
    // West has no controllers: the test creates the pod the ReplicaSet would and writes its status as the kubelet would.
    const { core, apps } = admin(west);
    const deployment = await apps.readNamespacedDeployment({ name, namespace });
    const created = await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: `${name}-abc12`, labels: deployment.spec?.template.metadata?.labels }, spec: deployment.spec!.template.spec! },
    });
    const reportContainer = async (waiting: { reason: string; message?: string }) =>
      core.replaceNamespacedPodStatus({
        name: created.metadata!.name!,
        namespace,
        body: {
          ...(await core.readNamespacedPod({ name: created.metadata!.name!, namespace })),
          status: {
            phase: 'Pending',
            containerStatuses: [{ name: 'gateway', image: 'privatejet/gateway:missing', imageID: '', ready: false, restartCount: 0, state: { waiting } }],
          },
        },
      });
    try {
      await reportContainer({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "privatejet/gateway:missing"' });
      const pulling = await manager.status(api, west.cluster);
      expect(pulling.phase).toBe('progressing');
      expect(pulling.message).toContain('container "gateway": ImagePullBackOff — Back-off pulling image "privatejet/gateway:missing"');

      await reportContainer({ reason: 'InvalidImageName', message: 'Failed to apply default image tag' });
      const invalid = await manager.status(api, west.cluster);
      expect(invalid.phase).toBe('failed');
      expect(invalid.message).toContain('InvalidImageName');

      // East's pods are fine (there are none yet): its status says nothing about pods.
      expect((await manager.status(api, east.cluster)).message).not.toContain('container');
    } finally {
      await core.deleteNamespacedPod({ name: created.metadata!.name!, namespace, gracePeriodSeconds: 0 });
    }
  });

  it('re-applies a changed config: new ConfigMap content, new hash on the pod template, a new rollout', async () => {
    const before = await admin(east).apps.readNamespacedDeployment({ name, namespace });
    const changed = sampleApi({ allowedOrigins: ['https://portal.example.com', 'https://docs.example.com'] });
    const result = await manager.deploy(changed, east.cluster);

    const after = await admin(east).apps.readNamespacedDeployment({ name, namespace });
    const previousHash = before.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
    expect(result.configHash).not.toBe(previousHash);
    expect(after.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(result.configHash);
    expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
    const configMap = await admin(east).core.readNamespacedConfigMap({ name, namespace });
    expect(configMap.data?.['haproxy.cfg']).toContain('https://docs.example.com');
    expect((await manager.status(changed, east.cluster)).phase).toBe('progressing');

    // The same config again changes nothing: same hash, same generation.
    const again = await manager.deploy(changed, east.cluster);
    expect(again.configHash).toBe(result.configHash);
    expect((await admin(east).apps.readNamespacedDeployment({ name, namespace })).metadata?.generation).toBe(after.metadata?.generation);
  });

  it('never duplicates anything when deployed twice', async () => {
    await manager.deploy(api, west.cluster);
    await manager.deploy(api, west.cluster);
    expect(await objectsOf(west, api)).toEqual({ ConfigMap: [name], Secret: [name], Deployment: [name], Service: [name], Ingress: [name], HorizontalPodAutoscaler: [] });
  });

  it('keeps two versions of one API apart', async () => {
    const v2 = sampleApi({ version: '2.0.0' });
    await manager.deploy(v2, west.cluster);
    const v2Name = gatewayObjectName(v2);
    expect(v2Name).not.toBe(name);
    expect((await objectsOf(west, v2)).Deployment).toEqual([v2Name]);
    const ingress = await admin(west).networking.readNamespacedIngress({ name: v2Name, namespace });
    expect(ingress.spec?.rules?.[0]?.http?.paths[0]?.path).toBe('/petstore/2.0.0');

    await manager.undeploy(v2, west.cluster);
    expect(Object.values(await objectsOf(west, v2)).flat()).toEqual([]);
    expect((await objectsOf(west, api)).Deployment).toEqual([name]);
  });

  it('adds an autoscaler with MaxReplicas and removes it when MaxReplicas goes', async () => {
    const scaled: TargetCluster = { ...west.cluster, properties: { ...west.cluster.properties, MaxReplicas: 5 } };
    await manager.deploy(api, scaled);
    const hpa = await admin(west).autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name } });

    await manager.deploy(api, west.cluster);
    expect((await objectsOf(west, api)).HorizontalPodAutoscaler).toEqual([]);
    expect((await admin(west).apps.readNamespacedDeployment({ name, namespace })).spec?.replicas).toBe(2);
  });

  it('undeploys every object, the ConfigMap too, and deploys again afterwards', async () => {
    await manager.undeploy(api, east.cluster);
    expect(Object.values(await objectsOf(east, api)).flat()).toEqual([]);
    expect(await manager.status(api, east.cluster)).toMatchObject({ phase: 'absent' });
    // Undeploying what is gone is done, not an error.
    await manager.undeploy(api, east.cluster);

    await manager.deploy(api, east.cluster);
    expect(await objectsOf(east, api)).toEqual({ ConfigMap: [name], Secret: [name], Deployment: [name], Service: [name], Ingress: [name], HorizontalPodAutoscaler: [] });
  });

  it('fails only the cluster whose API server is down, with a KubeError the user can act on', async () => {
    await west.controlPlane.stop();
    const next = sampleApi({ version: '3.0.0' });
    const [eastResult, westResult] = await Promise.allSettled([manager.deploy(next, east.cluster), manager.deploy(next, west.cluster)]);

    expect(eastResult.status).toBe('fulfilled');
    expect((await objectsOf(east, next)).Deployment).toEqual([gatewayObjectName(next)]);

    expect(westResult.status).toBe('rejected');
    const error = (westResult as PromiseRejectedResult).reason as KubeError;
    expect(error).toBeInstanceOf(KubeError);
    expect(['unreachable', 'timeout']).toContain(error.kind);
    expect(error.message).toMatch(/ConfigMap privatejet\/pj-petstore-3-0-0-[0-9a-f]{10}/);
    expect(error.hint).toMatch(/MasterURL/);
    await expect(manager.status(next, west.cluster)).rejects.toMatchObject({ kind: expect.stringMatching(/unreachable|timeout/) });
  });
});
