import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { observedStatusOfDeployment } from './deployment-status';

function deployment(status: V1Deployment['status'], { replicas = 2, generation = 1 } = {}): V1Deployment {
  return { metadata: { name: 'pj-petstore', generation }, spec: { replicas, selector: {}, template: {} }, status };
}

describe('observedStatusOfDeployment', () => {
  it('is absent without a Deployment', () => {
    expect(observedStatusOfDeployment(undefined)).toMatchObject({ phase: 'absent' });
  });

  it('is progressing until the controller has seen the latest change', () => {
    expect(observedStatusOfDeployment(deployment(undefined))).toEqual({
      phase: 'progressing',
      message: 'waiting for the cluster to pick up the latest change',
      readyReplicas: 0,
      desiredReplicas: 2,
    });
    // Counts of the previous generation do not make a new config ready.
    const stale = deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 }, { generation: 2 });
    expect(observedStatusOfDeployment(stale).phase).toBe('progressing');
  });

  it('counts available replicas, with the controller\'s explanation', () => {
    const status = observedStatusOfDeployment(
      deployment({
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Available', status: 'False', message: 'Deployment does not have minimum availability.' }],
      }),
    );
    expect(status).toEqual({
      phase: 'progressing',
      message: '1 of 2 replicas available: Deployment does not have minimum availability.',
      readyReplicas: 1,
      desiredReplicas: 2,
    });
  });

  it('waits for updated replicas and for old ones to go', () => {
    expect(observedStatusOfDeployment(deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 2 })).message).toBe('1 of 2 replicas updated');
    expect(observedStatusOfDeployment(deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2 })).message).toBe(
      '1 old replica still shutting down',
    );
  });

  it('is ready when every desired replica is available', () => {
    expect(observedStatusOfDeployment(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }))).toEqual({
      phase: 'ready',
      message: '2 of 2 replicas available',
      readyReplicas: 2,
      desiredReplicas: 2,
    });
  });

  it('fails when the rollout exceeded its deadline or pods cannot be created', () => {
    const deadline = deployment({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "pj-petstore-5d8f" has timed out progressing.' }],
    });
    expect(observedStatusOfDeployment(deadline)).toMatchObject({ phase: 'failed', message: 'ReplicaSet "pj-petstore-5d8f" has timed out progressing.' });
    const quota = deployment({
      observedGeneration: 1,
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "pj-petstore-x" is forbidden: exceeded quota' }],
    });
    expect(observedStatusOfDeployment(quota)).toMatchObject({ phase: 'failed', message: 'pods "pj-petstore-x" is forbidden: exceeded quota' });
  });
});
