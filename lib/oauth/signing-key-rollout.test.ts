import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { apis, deployments } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { ensureSigningKeys } from './signing-keys';
import { signingKeyRollout } from './signing-key-rollout';
import { insertTenant, insertUser, useThrowawaySecretKey, type TestTenant } from '../test-support/oauth-fixtures';

let database: DatabaseHandle;
let superAdmin: Actor;
let tenantAdmin: Actor;
let developer: Actor;

async function gateway(tenant: TestTenant, name: string, clusterName: string, signingKeyIds: string[]) {
  const [api] = await database.db
    .insert(apis)
    .values({ tenantId: tenant.id, name, version: '1', context: `/${name.toLowerCase()}`, productionEndpoints: ['http://127.0.0.1:9'], openapi: {}, security: { oauth2: true, basic: false }, tiers: ['Gold'], cors: { enabled: false, allowedOrigins: [] } })
    .returning();
  await database.db.insert(deployments).values({ tenantId: tenant.id, apiId: api!.id, clusterName, status: 'ready', configHash: 'hash', signingKeyIds });
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const platform = await insertTenant(database.db, 'carbon.super');
  const acme = await insertTenant(database.db, 'acme.test');
  superAdmin = await insertUser(database.db, platform, 'root', ['admin']);
  tenantAdmin = await insertUser(database.db, acme, 'ada', ['admin']);
  developer = await insertUser(database.db, acme, 'dev', ['subscriber']);
  await ensureSigningKeys();
  const [first] = (await signingKeyRollout(superAdmin)).keys.filter((key) => key.state === 'signing');
  const next = (await signingKeyRollout(superAdmin)).keys.find((key) => key.state === 'next')!;
  await gateway(platform, 'Orders', 'local', [first!.kid, next.kid]);
  await gateway(acme, 'Weather', 'east', [first!.kid]);
});

afterAll(async () => {
  await database.close();
});

it('shows the signing and next keys, how many gateways hold each, and which gateways the next key waits for', async () => {
  const platformView = await signingKeyRollout(superAdmin);
  expect(platformView.keys.map((key) => key.state).sort()).toEqual(['next', 'signing']);
  expect(platformView.gateways).toBe(2);
  expect(platformView.keys.find((key) => key.state === 'signing')!.gatewaysWithKey).toBe(2);
  expect(platformView.keys.find((key) => key.state === 'next')!.gatewaysWithKey).toBe(1);
  expect(platformView.waitingFor).toEqual([{ apiName: 'Weather', apiVersion: '1', clusterName: 'east', status: 'ready' }]);

  // A tenant admin sees only the tenant's own gateways.
  const tenantView = await signingKeyRollout(tenantAdmin);
  expect(tenantView.gateways).toBe(1);
  expect(tenantView.waitingFor.map((gateway) => gateway.apiName)).toEqual(['Weather']);
  await expect(signingKeyRollout(developer)).rejects.toBeInstanceOf(AppError);
});
