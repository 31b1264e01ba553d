import { AppsV1Api, type V1Deployment, type V1DeploymentStatus } from '@kubernetes/client-node';
import { rbacObjectsFor } from '../../containers/rbac';
import { ensureKubeBinaries } from '../../../tools/kube/binaries';
import { startControlPlane, type ControlPlane } from '../../../tools/kube/control-plane';
import { provisionServiceAccount, type ServiceAccountAccess } from '../../../tools/kube/service-account';
import type { TargetCluster } from '../../containers/container-manager';
import type { KubernetesManagerName } from '../../containers/permissions';

/**
 * Real kube-apiservers (tools/kube) set up as a user would for one manager: the namespace, a
 * service account and exactly the RBAC of deploy/rbac (lib/containers/rbac.ts). The manager under
 * test only ever gets the service account's token; the admin certificate is for the test's own
 * set-up and for playing the controllers that do not run here.
 */

export const FIRST_BUILD_TIMEOUT_MS = 30 * 60_000;
export const START_TIMEOUT_MS = 3 * 60_000;

export interface RealCluster {
  controlPlane: ControlPlane;
  access: ServiceAccountAccess;
  cluster: TargetCluster;
}

export async function startRealCluster(
  clusterName: string,
  manager: KubernetesManagerName,
  properties: Partial<TargetCluster['properties']> = {},
): Promise<RealCluster> {
  await ensureKubeBinaries();
  const namespace = 'privatejet';
  const controlPlane = await startControlPlane({ name: clusterName });
  try {
    const access = await provisionServiceAccount(controlPlane, {
      namespace,
      serviceAccountName: 'privatejet',
      rbac: rbacObjectsFor(manager, { namespace, serviceAccount: 'privatejet' }, { includeServiceAccount: false }),
    });
    const cluster: TargetCluster = {
      type: 'Kubernetes',
      clusterName,
      displayName: clusterName,
      properties: {
        MasterURL: access.masterUrl,
        AccessURL: `https://${clusterName}.apis.example.com`,
        SAToken: access.saToken,
        CACert: access.caCert,
        Namespace: namespace,
        Replicas: 2,
        extra: {},
        ...properties,
      },
    };
    return { controlPlane, access, cluster };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}

/**
 * Writes a Deployment's status as its controller would once `available` pods are up (no
 * controller-manager runs here), through the status subresource.
 */
export async function reportDeploymentStatus(controlPlane: ControlPlane, namespace: string, name: string, available: number): Promise<V1Deployment> {
  const apps = controlPlane.adminKubeConfig.makeApiClient(AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const desired = deployment.spec?.replicas ?? 1;
  const status: V1DeploymentStatus = {
    observedGeneration: deployment.metadata?.generation ?? 1,
    replicas: desired,
    updatedReplicas: desired,
    readyReplicas: available,
    availableReplicas: available,
    unavailableReplicas: desired - available,
    conditions: [
      {
        type: 'Available',
        status: available >= desired ? 'True' : 'False',
        reason: available >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message: available >= desired ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: available >= desired ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
        message: `ReplicaSet "${name}" is progressing.`,
      },
    ],
  };
  return apps.replaceNamespacedDeploymentStatus({ name, namespace, body: { ...deployment, status } });
}

/**
 * Plays the Deployment controller where none runs: every `everyMs`, each Deployment of the
 * namespace (those matching `labelSelector`, if given) whose status is behind its spec reports
 * all its replicas available. Returns the function that stops it.
 */
export function playDeploymentController(
  clusters: RealCluster[],
  options: { namespace?: string; labelSelector?: string; everyMs?: number; available?: number } = {},
): () => void {
  const namespace = options.namespace ?? 'privatejet';
  const catchUp = async (cluster: RealCluster) => {
    const apps = cluster.controlPlane.adminKubeConfig.makeApiClient(AppsV1Api);
    const { items } = await apps.listNamespacedDeployment({ namespace, labelSelector: options.labelSelector }).catch(() => ({ items: [] as V1Deployment[] }));
    for (const deployment of items) {
      const desired = options.available ?? deployment.spec?.replicas ?? 1;
      if (deployment.status?.observedGeneration === deployment.metadata?.generation && deployment.status?.availableReplicas === desired) continue;
      await reportDeploymentStatus(cluster.controlPlane, namespace, deployment.metadata!.name!, desired).catch(() => undefined);
    }
  };
  let round: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    // One round at a time: with many Deployments a round can outlast the interval.
    round ??= Promise.all(clusters.map(catchUp)).finally(() => (round = undefined));
  }, options.everyMs ?? 250);
  return () => clearInterval(timer);
}
