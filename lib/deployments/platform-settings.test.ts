import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { gatewaySpecFor } from '../gateway/gateway-spec-for';
import { haproxyGatewayFiles } from '../gateway/haproxy-config';
import { ensureSigningKeys } from '../oauth/signing-keys';
import { insertTenant, useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { gatewayPlatformSettings } from './platform-settings';

let database: DatabaseHandle;

beforeAll(async () => {
  useThrowawaySecretKey();
  vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'https://portal.example.test');
  database = await freshTestDatabase();
  await ensureSigningKeys();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await database.close();
});

it('gives gateways the current issuer and the one earlier tokens carry, down to the generated check', async () => {
  const tenant = await insertTenant(database.db, 'issuers.test');
  const { settings } = await gatewayPlatformSettings(tenant.id);
  expect(settings.issuers).toEqual(['https://portal.example.test', 'https://portal.example.test/oauth2/token']);

  const spec = gatewaySpecFor(
    {
      apiId: '0b5f1c2e-7d8a-4e3b-9c6d-1a2b3c4d5e6f',
      tenantDomain: tenant.domain,
      name: 'Ledger',
      version: 'v1',
      context: '/ledger',
      openapi: { openapi: '3.0.3', paths: { '/entries': { get: {} } } },
      productionEndpoints: ['http://ledger.backend.test'],
      security: { oauth2: true },
      tiers: ['Gold'],
      cors: { enabled: false, allowedOrigins: [] },
    },
    settings,
    { replicas: 1, accessUrl: 'https://apis.example.test' },
  );
  expect(haproxyGatewayFiles(spec)['haproxy.cfg']).toContain('!{ var(txn.iss) -m str https://portal.example.test https://portal.example.test/oauth2/token }');
});
