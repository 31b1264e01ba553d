import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiSchema } from '../apis/apis.schema';
import { changeLifecycleState, createApi, setClusterSelection } from '../apis/apis.service';
import { stageDefinition } from '../apis/definition-uploads.service';
import type { Actor } from '../actor';
import { localContainerManager } from '../containers/local/local-manager';
import type { DatabaseHandle } from '../db/drizzle';
import { tenants, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { largeDefinition, largeDefinitionJson } from '../test-support/large-definition';
import { deploymentsSettled, deploymentViews } from './deployments.service';
import { freePort, usePlatformClusters } from '../test-support/deployments';

/**
 * A 13 MB definition (1,074 paths, 2,059 operations) imported and published on the Local cluster:
 * the dedicated HAProxy gateway starts with every route, answers the last of them as it answers
 * the first, and refuses what the definition does not have. Also measures what matching a path
 * against that many regular expressions costs per request.
 */
let database: DatabaseHandle;
let actor: Actor;
let accessUrl: string;
const big = largeDefinitionJson(13_000_000);
const templates = Object.keys(largeDefinition({ paths: big.paths }).paths as object);

beforeAll(async () => {
  database = await freshTestDatabase();
  accessUrl = `http://localhost:${await freePort()}`;
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
  const [tenant] = await database.db.insert(tenants).values({ domain: 'carbon.super', displayName: 'Super' }).returning();
  const [user] = await database.db.insert(users).values({ tenantId: tenant!.id, username: 'pub', displayName: 'Pub', passwordHash: 'x', roles: ['publisher'] }).returning();
  actor = { userId: user!.id, username: 'pub', displayName: 'Pub', tenantId: tenant!.id, tenantDomain: 'carbon.super', roles: ['publisher'] };
}, 120_000);

afterAll(async () => {
  await localContainerManager.stopAll();
  await database.close();
});

/** A concrete URL of a path template: each {parameter} becomes a value. */
const concrete = (template: string) => `${accessUrl}/provider/1.0.0${template.replace(/\{[^}]+\}/g, '42')}`;

async function averageMs(url: string, requests: number): Promise<{ status: number; ms: number }> {
  let status = 0;
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const response = await fetch(url);
    status = response.status;
    await response.arrayBuffer();
  }
  return { status, ms: (performance.now() - started) / requests };
}

describe('a 13 MB definition on the Local cluster', () => {
  it('imports, publishes, and its gateway routes every path', async () => {
    const staged = await stageDefinition(actor, { text: big.text, fileName: 'provider.json' });
    const { id: apiId } = await createApi(
      actor,
      createApiSchema.parse({ source: 'file', definitionUpload: staged.id, name: 'Provider', version: '1.0.0', context: '/provider', productionEndpoints: 'http://127.0.0.1:9', tiers: ['Gold'], securityOauth2: 'on' }),
    );
    await setClusterSelection(actor, apiId, ['local']);
    const started = performance.now();
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    await deploymentsSettled(apiId);
    const publishMs = performance.now() - started;
    const [view] = await deploymentViews(actor, apiId);
    expect(view).toMatchObject({ clusterName: 'local', status: 'ready', accessUrl: `${accessUrl}/provider/1.0.0` });
    console.info(`published ${big.paths} paths on Local: ready in ${Math.round(publishMs)} ms`);

    // The gateway itself answers: routed, then refused for want of a token.
    const first = templates[0]!;
    const last = templates.at(-1)!;
    expect((await fetch(concrete(first))).status).toBe(401);
    expect((await fetch(concrete(last))).status).toBe(401);
    // Not in the definition: 404 after every route was tried; a method it lacks: 405.
    expect((await fetch(`${accessUrl}/provider/1.0.0/not/in/the/definition`)).status).toBe(404);
    const deleteless = templates.find((_, i) => i % 4 !== 1)!;
    const wrongMethod = await fetch(concrete(deleteless), { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');

    // What matching against that many regular expressions costs, per request, through the local ingress.
    const requests = 100;
    await averageMs(concrete(first), 20); // connections and caches warm
    const firstRoute = await averageMs(concrete(first), requests);
    const lastRoute = await averageMs(concrete(last), requests);
    const unknown = await averageMs(`${accessUrl}/provider/1.0.0/not/in/the/definition`, requests);
    console.info(
      `gateway with ${big.paths} paths (${templates.length} route regexes per map), ${requests} sequential requests each: first route ${firstRoute.ms.toFixed(2)} ms, last route ${lastRoute.ms.toFixed(2)} ms, unknown path (every regex tried) ${unknown.ms.toFixed(2)} ms`,
    );
    expect([firstRoute.status, lastRoute.status, unknown.status]).toEqual([401, 401, 404]);
    expect(unknown.ms).toBeLessThan(50);
  }, 240_000);
});
