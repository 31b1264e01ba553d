import type { V1Deployment, V1DeploymentCondition } from '@kubernetes/client-node';
import type { ObservedStatus } from '../container-manager';

/**
 * What a gateway's Deployment, as read back from the cluster, says about the gateway: the same
 * judgement as `kubectl rollout status`, in words for the publisher. Pure, so every case is
 * unit tested; the manager only reads the object.
 */
export function observedStatusOfDeployment(deployment: V1Deployment | undefined): ObservedStatus {
  if (!deployment) return { phase: 'absent', message: 'no gateway in this cluster' };
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const counts = { readyReplicas: status.readyReplicas ?? 0, desiredReplicas: desired };
  const conditions = status.conditions ?? [];

  const progressing = conditionOf(conditions, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { phase: 'failed', message: progressing.message ?? 'the gateway did not become ready within its progress deadline', ...counts };
  }
  const replicaFailure = conditionOf(conditions, 'ReplicaFailure');
  if (replicaFailure?.status === 'True') {
    return { phase: 'failed', message: replicaFailure.message ?? replicaFailure.reason ?? 'the cluster could not create the gateway pods', ...counts };
  }
  // Until the controller has seen the latest spec, the counts below describe an older one.
  const generation = deployment.metadata?.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return { phase: 'progressing', message: 'waiting for the cluster to pick up the latest change', ...counts };
  }
  if (updated < desired) {
    return { phase: 'progressing', message: withDetail(`${updated} of ${desired} replicas updated`, conditions), ...counts };
  }
  if (total > updated) {
    return { phase: 'progressing', message: `${total - updated} old ${total - updated === 1 ? 'replica' : 'replicas'} still shutting down`, ...counts };
  }
  if (available < desired) {
    return { phase: 'progressing', message: withDetail(`${available} of ${desired} replicas available`, conditions), ...counts };
  }
  return { phase: 'ready', message: `${available} of ${desired} replicas available`, ...counts };
}

function conditionOf(conditions: V1DeploymentCondition[], type: string): V1DeploymentCondition | undefined {
  return conditions.find((condition) => condition.type === type);
}

/** The Available condition's message when it is false: the controller's own explanation. */
function withDetail(summary: string, conditions: V1DeploymentCondition[]): string {
  const available = conditionOf(conditions, 'Available');
  return available?.status === 'False' && available.message ? `${summary}: ${available.message}` : summary;
}
