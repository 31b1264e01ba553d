import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podProblem } from './pod-problems';

function pod(name: string, created: string, containers: Partial<V1ContainerStatus>[], extra: Partial<V1Pod> = {}): V1Pod {
  return {
    metadata: { name, creationTimestamp: new Date(created) },
    status: {
      containerStatuses: containers.map((container) => ({ name: 'gateway', image: 'privatejet/gateway:1', imageID: '', ready: false, restartCount: 0, ...container })),
      ...extra.status,
    },
    ...(extra.metadata ? { metadata: { name, creationTimestamp: new Date(created), ...extra.metadata } } : {}),
  };
}

describe('podProblem', () => {
  it('names an image that cannot be pulled, with the kubelet message', () => {
    const problem = podProblem([
      pod('gw-1', '2026-11-27T10:00:00Z', [
        { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "privatejet/gateway:1"' } } },
      ]),
    ]);
    expect(problem).toEqual({
      message: 'container "gateway": ImagePullBackOff — Back-off pulling image "privatejet/gateway:1"',
      permanent: false,
    });
  });

  it('treats an invalid image name or a missing config as permanent', () => {
    expect(podProblem([pod('gw-1', '2026-11-27T10:00:00Z', [{ state: { waiting: { reason: 'InvalidImageName' } } }])])).toEqual({
      message: 'container "gateway": InvalidImageName',
      permanent: true,
    });
    expect(podProblem([pod('gw-1', '2026-11-27T10:00:00Z', [{ state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' } } }])])?.permanent).toBe(true);
  });

  it("explains a crash loop with the gateway's last exit", () => {
    const problem = podProblem([
      pod('gw-1', '2026-11-27T10:00:00Z', [
        {
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'set GATEWAY_CONFIG\n' } },
        },
      ]),
    ]);
    expect(problem?.message).toBe('container "gateway": CrashLoopBackOff — the gateway exited with code 1 (Error): set GATEWAY_CONFIG, 4 restarts');
  });

  it('says when no node can take the pod', () => {
    const unschedulable = pod('gw-1', '2026-11-27T10:00:00Z', [], {
      status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }] },
    });
    expect(podProblem([unschedulable])).toEqual({ message: 'a gateway pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.', permanent: false });
  });

  it('finds nothing wrong with pods that are still starting or running', () => {
    expect(podProblem([])).toBeUndefined();
    expect(podProblem([pod('gw-1', '2026-11-27T10:00:00Z', [{ state: { waiting: { reason: 'ContainerCreating' } } }])])).toBeUndefined();
    expect(podProblem([pod('gw-1', '2026-11-27T10:00:00Z', [{ ready: true, state: { running: { startedAt: new Date() } } }])])).toBeUndefined();
  });

  it("reports the newest pod's problem and skips pods being deleted", () => {
    const old = pod('gw-old', '2026-11-27T09:00:00Z', [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }]);
    const newest = pod('gw-new', '2026-11-27T10:00:00Z', [{ state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }]);
    expect(podProblem([old, newest])?.message).toBe('container "gateway": ErrImagePull — not found');
    const deleting = pod('gw-new', '2026-11-27T10:00:00Z', [{ state: { waiting: { reason: 'ErrImagePull' } } }], {
      metadata: { deletionTimestamp: new Date() },
    });
    expect(podProblem([deleting])).toBeUndefined();
  });
});
