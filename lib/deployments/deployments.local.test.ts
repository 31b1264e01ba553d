import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLifecycleState, setClusterSelection } from '../apis/apis.service';
import type { Actor } from '../actor';
import { localContainerManager } from '../containers/local/local-manager';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { deploymentsSettled, deploymentViews, observeSettledDeployments, resumeDeployments } from './deployments.service';
import { freePort, seedPublisherWithApi, usePlatformClusters } from '../test-support/deployments';

/**
 * The Local cluster end to end below the UI: publish starts a dedicated gateway process behind
 * the local ingress; after the app's processes are gone (a restart), resuming brings it back.
 * Needs the machine's haproxy, which the test command installs.
 */
let database: DatabaseHandle;
let actor: Actor;
let apiId: string;
let accessUrl: string;

beforeAll(async () => {
  database = await freshTestDatabase();
  accessUrl = `http://localhost:${await freePort()}`;
  usePlatformClusters();
  ({ actor, apiId } = await seedPublisherWithApi(database.db, { tenantDomain: 'carbon.super', context: '/petstore', endpoint: 'http://127.0.0.1:9' }));
  // the super tenant's deployment.toml cluster: Local, on a free port
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
});

afterAll(async () => {
  await localContainerManager.stopAll();
  await database.close();
});

async function gatewayAnswer(): Promise<number | string> {
  try {
    return (await fetch(`${accessUrl}/petstore/1.0.0/pets`)).status;
  } catch (error) {
    return (error as Error & { cause?: { code?: string } }).cause?.code ?? 'unreachable';
  }
}

describe('the Local cluster', () => {
  it('publishes: a dedicated gateway answers at AccessURL/<context>/<version>', async () => {
    await setClusterSelection(actor, apiId, ['local']);
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    const [view] = await deploymentViews(actor, apiId);
    expect(view).toMatchObject({ clusterName: 'local', status: 'ready', accessUrl: `${accessUrl}/petstore/1.0.0` });
    expect(await gatewayAnswer()).toBe(401); // the gateway itself: no token
  }, 60_000);

  it('shows a crashed gateway as not ready until its supervisor has restarted it', async () => {
    const [ready] = await deploymentViews(actor, apiId);
    const pid = Number(/process (\d+)/.exec(ready!.message ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    // the app's supervisor notices the exit (a few tens of ms on a busy machine), then restarts it after 200 ms
    const local = { type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } } as const;
    const identity = { apiId, tenantId: actor.tenantId, tenantDomain: actor.tenantDomain, name: 'PetStore', version: '1.0.0', context: '/petstore' };
    for (let i = 0; i < 100 && (await localContainerManager.status(identity, local)).phase === 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await observeSettledDeployments(apiId);
    const [crashed] = await deploymentViews(actor, apiId);
    expect(crashed).toMatchObject({ status: 'waiting', message: expect.stringContaining('killed by SIGKILL') });
    for (let i = 0; i < 100 && (await gatewayAnswer()) !== 401; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    // the job that saw it not ready waits until the process is ready again
    await deploymentsSettled(apiId);
    expect((await deploymentViews(actor, apiId))[0]).toMatchObject({ status: 'ready', message: expect.stringContaining('restarted 1×') });
  }, 60_000);

  it('brings the gateway back after the app restarts', async () => {
    await localContainerManager.stopAll(); // what a stopped app leaves: no processes, no ingress
    expect(typeof (await gatewayAnswer())).toBe('string'); // a network error: nothing listens
    expect(await resumeDeployments()).toBe(1);
    await deploymentsSettled(apiId);
    expect((await deploymentViews(actor, apiId))[0]!.status).toBe('ready');
    expect(await gatewayAnswer()).toBe(401);
  }, 60_000);

  it('blocking removes the gateway and its route', async () => {
    await changeLifecycleState(actor, apiId, 'BLOCKED');
    await deploymentsSettled(apiId);
    expect((await deploymentViews(actor, apiId))[0]!.status).toBe('not-deployed');
    expect(await gatewayAnswer()).toBe(404); // the ingress answers; nothing is routed there
  }, 60_000);

  it("refuses another tenant's API at the same path of a shared Local cluster, and leaves the owner's route alone", async () => {
    // the platform shares its Local cluster with every tenant: both tenants deploy behind one ingress
    usePlatformClusters([
      { type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, SharedWithTenants: '*', extra: {} } },
    ]);
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    expect((await deploymentViews(actor, apiId))[0]!.status).toBe('ready');

    // (its backend is never called: the deployment is refused before a gateway starts)
    const other = await seedPublisherWithApi(database.db, { tenantDomain: 'other.example', context: '/petstore', endpoint: 'http://192.0.2.10:9' });
    await setClusterSelection(other.actor, other.apiId, ['local']);
    await changeLifecycleState(other.actor, other.apiId, 'PUBLISHED');
    await deploymentsSettled(other.apiId);
    expect((await deploymentViews(other.actor, other.apiId))[0]).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('/petstore/1.0.0 is already served by another API'),
    });

    // the intruder's demotion removes nothing of the owner's; the owner's status still reads ready
    await changeLifecycleState(other.actor, other.apiId, 'CREATED');
    await deploymentsSettled(other.apiId);
    await observeSettledDeployments(apiId);
    expect((await deploymentViews(actor, apiId))[0]!.status).toBe('ready');
    expect(await gatewayAnswer()).toBe(401);
  }, 60_000);
});

