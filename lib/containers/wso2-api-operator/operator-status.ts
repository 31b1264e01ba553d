import type { ObservedStatus } from '../container-manager';
import type { OperatorApiManifest } from './manifests';

/**
 * What the API object, read back from the cluster, says about the gateway. The operator owns
 * the Deployment, and this manager may read only its API objects (lib/containers/permissions.ts),
 * so the status is exactly what the operator reports:
 * - no API object → absent;
 * - no status yet → progressing, "applied; waiting for the operator";
 * - a Ready/Available condition (operators after 1.2) → ready when True, failed when its reason
 *   says so, progressing otherwise, with the operator's message;
 * - `status.replicas` (all that 1.2.x writes, once it has created the gateway's Deployment) →
 *   ready with that replica count: the operator reports nothing finer.
 */
export function observedStatusOfOperatorApi(api: OperatorApiManifest | undefined): ObservedStatus {
  if (!api) return { phase: 'absent', message: 'no API object in this cluster' };
  const desiredReplicas = api.spec.replicas;
  const status = api.status ?? {};
  const condition = status.conditions?.find((candidate) => candidate.type === 'Ready' || candidate.type === 'Available');
  if (condition) {
    const message = condition.message ?? condition.reason;
    if (condition.status === 'True') return { phase: 'ready', desiredReplicas, ...(message ? { message } : {}) };
    const failed = /fail|error|invalid/i.test(condition.reason ?? '');
    return { phase: failed ? 'failed' : 'progressing', desiredReplicas, message: message ?? 'the operator has not finished' };
  }
  if (typeof status.replicas === 'number') {
    return { phase: 'ready', desiredReplicas, message: `the operator deployed the gateway with ${status.replicas} ${status.replicas === 1 ? 'replica' : 'replicas'}` };
  }
  return { phase: 'progressing', desiredReplicas, message: 'applied; waiting for the operator' };
}
