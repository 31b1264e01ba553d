import { CoreV1Api, type V1ConfigMap, type V1Deployment, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { clusterAccessReport } from '../connection-check';
import type { ApiIdentity, ContainerManager, CounterReadLimits, DeployableApi, DeployResult, GatewayCounterReads, ObservedStatus, TargetCluster } from '../container-manager';
import { kubeConfigFor, withTimeout } from '../kube-client';
import { kubeErrorFrom } from '../kube-errors';
import { clusterObjectsFor, type ClusterObjects, type ClusterObjectsOptions } from './cluster-objects';
import { observedStatusOfDeployment } from './deployment-status';
import { GATEWAY_PORT, gatewayObjectReferences, gatewayObjectsFor } from './manifests';
import { gatewaySpecInCluster } from '@/lib/gateway/gateway-spec-for';
import { clusterSecurityFor, type SecurityResourceReader } from '../security-resources';
import { gatewayLabelSelector, gatewayObjectName } from './object-names';
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

    async readGatewayCounters(api: ApiIdentity, cluster: TargetCluster, counterPath: string, limits: CounterReadLimits): Promise<GatewayCounterReads> {
      const namespace = cluster.properties.Namespace;
      const objects = clusterObjectsFor(cluster, { timeoutMs: limits.timeoutMs });
      const pods = await objects.list<V1Pod>('v1', 'Pod', namespace, gatewayLabelSelector(api));
      const core = kubeConfigFor(cluster).makeApiClient(CoreV1Api);
      const answered: Record<string, string> = {};
      // Through the API server's pod proxy with the cluster's credentials (pods/proxy get): each
      // replica counts its own traffic, and a Service would answer from one pod at random.
      await settleAll(
        pods.filter(servesTraffic).map(async (pod) => {
          const name = pod.metadata!.name!;
          try {
            const text = await core.connectGetNamespacedPodProxyWithPath({ name: `${name}:${GATEWAY_PORT}`, namespace, path: counterPath.replace(/^\//, '') }, withTimeout(limits.timeoutMs));
            if (Buffer.byteLength(text) > limits.maxBytes) throw new Error(`larger than ${limits.maxBytes} bytes`);
            answered[name] = text;
          } catch (error) {
            throw new Error(`pod ${name}: ${kubeErrorFrom(error).message}`, { cause: error });
          }
        }),
      );
      return { answered, present: pods.map((pod) => pod.metadata!.name!) };
    },
  };
}

/** A running, ready pod that is not shutting down: one that has been answering requests. */
function servesTraffic(pod: V1Pod): boolean {
  if (!pod.metadata?.name || pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
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
