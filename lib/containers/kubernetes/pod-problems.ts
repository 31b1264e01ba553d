import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/**
 * Why a gateway's pods are not running, in the kubelet's and scheduler's own words: what a
 * publisher would otherwise dig out with `kubectl describe pod`. The Deployment only says that
 * replicas are unavailable; the pods say it is an image that cannot be pulled, a crash loop or
 * a cluster without room. Pure, so every case is unit tested; the manager only lists the pods.
 */
export interface PodProblem {
  message: string;
  /** Kubernetes keeps retrying, but nothing changes until someone fixes the cause. */
  permanent: boolean;
}

// Waiting reasons that say something is wrong, as opposed to ContainerCreating/PodInitializing.
const WAITING_PROBLEMS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);
const PERMANENT = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError']);

export function podProblem(pods: V1Pod[]): PodProblem | undefined {
  let unschedulable: PodProblem | undefined;
  // Newest pods first: they run the latest spec, and their problem is the current one.
  const newestFirst = [...pods].sort((a, b) => timeOf(b) - timeOf(a));
  for (const pod of newestFirst) {
    if (pod.metadata?.deletionTimestamp) continue;
    const containers = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const container of containers) {
      const problem = containerProblem(container);
      if (problem) return problem;
    }
    const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    if (!unschedulable && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      unschedulable = { message: `a gateway pod cannot be scheduled: ${scheduled.message ?? 'no node fits it'}`, permanent: false };
    }
  }
  return unschedulable;
}

function containerProblem(container: V1ContainerStatus): PodProblem | undefined {
  const waiting = container.state?.waiting;
  if (!waiting?.reason || !WAITING_PROBLEMS.has(waiting.reason)) return undefined;
  const lastExit = container.lastState?.terminated;
  const detail =
    waiting.reason === 'CrashLoopBackOff' && lastExit
      ? `the gateway exited with code ${lastExit.exitCode}${lastExit.reason ? ` (${lastExit.reason})` : ''}${lastExit.message ? `: ${lastExit.message.trim()}` : ''}, ${container.restartCount} restarts`
      : waiting.message;
  return {
    message: `container "${container.name}": ${waiting.reason}${detail ? ` — ${detail}` : ''}`,
    permanent: PERMANENT.has(waiting.reason),
  };
}

function timeOf(pod: V1Pod): number {
  const created = pod.metadata?.creationTimestamp;
  return created ? new Date(created).getTime() : 0;
}
