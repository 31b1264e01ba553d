import type { V1ConfigMap, V1Deployment, V1Pod, V1Secret } from '@kubernetes/client-node';
import { clusterAccessReport } from '../../clusters/connection-check';
import type { ApiIdentity, ContainerManager, DeployableApi, DeployResult, ObservedStatus, TargetCluster } from '../container-manager';
import { clusterObjectsFor, type ClusterObjects, type ClusterObjectsOptions } from './cluster-objects';
import { observedStatusOfDeployment } from './deployment-status';
import { gatewayObjectReferences, gatewayObjectsFor } from './manifests';
import { gatewaySpecInCluster } from '@/lib/gateway/gateway-spec-for';
import { clusterSecurityFor, type SecurityResourceReader } from '../security-resources';
import { gatewayObjectName } from './object-names';
import { podProblem } from './pod-problems';

/**
 * The native PrivateJet manager: one ConfigMap + Deployment + Service + Ingress (+ autoscaler)
 * per API version per cluster, applied with server-side apply so a deploy is idempotent and
 * leaves fields that others own (an autoscaler's replica count, a mesh's annotations) alone.
 */

export const KUBERNETES_MANAGER_NAME = 'kubernetes';

export function createKubernetesContainerManager(options: ClusterObjectsOptions = {}): ContainerManager {
  return {
    name: KUBERNETES_MANAGER_NAME,

    checkAccess: (cluster) => clusterAccessReport(cluster, KUBERNETES_MANAGER_NAME),

    async deploy(api: DeployableApi, cluster: TargetCluster): Promise<DeployResult> {
      const objects = clusterObjectsFor(cluster, options);
      // The cluster's security resources first: one that is missing or malformed fails this
      // cluster's deploy with its name and key, before any pod could crash-loop on it.
      const { security, basicResource, oauthResource } = await clusterSecurityFor(
        api.gateway,
        cluster,
        securityResourceReader(objects, cluster.properties.Namespace),
        `in namespace ${cluster.properties.Namespace}`,
      );
      const gatewayApi = { ...api, gateway: gatewaySpecInCluster(api.gateway, security) };
      const plan = gatewayObjectsFor(gatewayApi, cluster, {
        ...(basicResource?.version ? { basicUsersVersion: basicResource.version } : {}),
        ...(oauthResource?.version ? { introspectionClientVersion: oauthResource.version } : {}),
      });
      await Promise.all([objects.apply(plan.configMap), objects.apply(plan.secret)]);
      await settleAll([...plan.others.map((object) => objects.apply(object)), ...plan.stale.map((address) => objects.remove(address))]);
      return { configHash: plan.configHash };
    },

    async undeploy(api: ApiIdentity, cluster: TargetCluster): Promise<void> {
      const objects = clusterObjectsFor(cluster, options);
      const references = gatewayObjectReferences(api, cluster);
      const isConfig = (reference: { kind: string }) => reference.kind === 'ConfigMap' || reference.kind === 'Secret';
      // Routing and pods go first; the config last, so no pod ever runs without it.
      await settleAll(references.filter((reference) => !isConfig(reference)).map((address) => objects.remove(address)));
      await settleAll(references.filter(isConfig).map((address) => objects.remove(address)));
    },

    async status(api: ApiIdentity, cluster: TargetCluster): Promise<ObservedStatus> {
      const objects = clusterObjectsFor(cluster, options);
      const deployment = await objects.read<V1Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: gatewayObjectName(api), namespace: cluster.properties.Namespace },
      });
      const observed = observedStatusOfDeployment(deployment);
      if (!deployment || observed.phase === 'ready' || observed.phase === 'absent') return observed;
      const problem = await problemOfPods(objects, deployment);
      if (!problem) return observed;
      return { ...observed, phase: problem.permanent ? 'failed' : observed.phase, message: `${observed.message} — ${problem.message}` };
    },
  };
}

export const kubernetesContainerManager: ContainerManager = createKubernetesContainerManager();

/**
 * What the Deployment's pods say about a gateway that is not ready. Only an explanation: when
 * the pods cannot be listed (RBAC from an older setup), the Deployment's own status stands.
 */
async function problemOfPods(objects: ClusterObjects, deployment: V1Deployment) {
  const matchLabels = deployment.spec?.selector?.matchLabels;
  const namespace = deployment.metadata?.namespace;
  if (!matchLabels || !namespace) return undefined;
  const selector = Object.entries(matchLabels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  try {
    return podProblem(await objects.list<V1Pod>('v1', 'Pod', namespace, selector));
  } catch {
    return undefined;
  }
}

/** Reads a named Secret or ConfigMap of the namespace (exactly the `get` the RBAC grants on that name). */
export function securityResourceReader(objects: Pick<ClusterObjects, 'read'>, namespace: string): SecurityResourceReader {
  return async (kind, name) => {
    const object = await objects.read<V1Secret & V1ConfigMap>({ apiVersion: 'v1', kind, metadata: { name, namespace } });
    if (!object) return undefined;
    const data =
      kind === 'Secret'
        ? Object.fromEntries(Object.entries(object.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]))
        : { ...(object.data ?? {}) };
    return { description: `${kind} ${namespace}/${name}`, data, ...(object.metadata?.resourceVersion ? { version: object.metadata.resourceVersion } : {}) };
  };
}

/** Waits for every call (none is left running half-way) and then reports the first failure. */
export async function settleAll(calls: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
