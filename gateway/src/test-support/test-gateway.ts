import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatewayConfigInput } from '../config';
import { startGateway, type GatewayOptions, type RunningGateway } from '../server';
import { TEST_API, TEST_AUDIENCE, TEST_ISSUER, type SigningKey } from './test-tokens';

export const PETSTORE_PATHS = {
  '/pets': { get: { responses: {} }, post: { responses: {} } },
  '/pets/{petId}': { get: { responses: {} }, put: { responses: {} }, delete: { responses: {} } },
  '/slow': { get: { responses: {} } },
  '/stream': { get: { responses: {} } },
  '/public/status': { get: { security: [], responses: {} } },
};

export function testConfig(backendUrl: string, key: SigningKey | undefined, overrides: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
  return {
    api: TEST_API,
    openapi: { openapi: '3.0.3', paths: PETSTORE_PATHS },
    endpoints: { production: [backendUrl] },
    security: { jwt: { enabled: key !== undefined } },
    tokens: {
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      algorithms: ['RS256'],
      jwks: { keys: key ? [key.publicJwk as { kty: string }] : [] },
    },
    tiers: {
      Gold: { requestsPerMinute: 5000 },
      Bronze: { requestsPerMinute: 5 },
      Unlimited: { requestsPerMinute: 'unlimited' },
    },
    cors: { allowedOrigins: ['https://portal.test'] },
    ...overrides,
  };
}

export interface TestGateway {
  url: string;
  configPath: string;
  gateway: RunningGateway;
  events: string[];
  accessLog: string[];
  writeConfig(config: unknown): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an in-process gateway on a loopback port with its config in a fresh temporary folder. */
export async function startTestGateway(config: unknown, options: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const directory = await mkdtemp(path.join(tmpdir(), 'gateway-test-'));
  const configPath = path.join(directory, 'config.json');
  const writeConfig = (value: unknown) => writeFile(configPath, JSON.stringify(value));
  await writeConfig(config);
  const events: string[] = [];
  const accessLog: string[] = [];
  const gateway = await startGateway({
    configPath,
    host: '127.0.0.1',
    port: 0,
    eventSink: (chunk) => events.push(chunk),
    accessLogSink: (chunk) => accessLog.push(chunk),
    ...options,
  });
  return {
    url: gateway.url,
    configPath,
    gateway,
    events,
    accessLog,
    writeConfig,
    async stop() {
      await gateway.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The gateway's JSON error body. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}
