import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { GatewayProcess, HOST_HAPROXY, checkHaproxyConfig, type HaproxyRuntime } from '@/lib/containers/local/haproxy-process';
import type { GatewaySpec } from '@/lib/gateway/gateway-spec';
import { haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { BASIC_USERS_CONFIG_FILE } from '@/lib/gateway/security-resources';

// Real HAProxy gateways on loopback for tests: the machine's haproxy (Debian 12: 2.6) and the
// Debian 13 one (3.0, the line the cluster image ships) run from a root filesystem with chroot.

const repositoryRoot = path.resolve(__dirname, '..', '..');

export interface NamedRuntime extends HaproxyRuntime {
  name: string;
}

/** Both haproxy versions the generated config must work on. Builds the Debian 13 root filesystem once if missing. */
export function haproxyRuntimes(): NamedRuntime[] {
  const script = path.join(repositoryRoot, 'tools', 'haproxy', 'debian13-rootfs.sh');
  const rootDir = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  if (!existsSync(path.join(rootDir, 'usr/sbin/haproxy'))) throw new Error(`no haproxy in ${rootDir}`);
  return [
    { name: 'HAProxy 2.6 (Debian 12, host)', ...HOST_HAPROXY },
    { name: 'HAProxy 3.0 (Debian 13, chroot)', rootDir, binary: '/usr/sbin/haproxy' },
  ];
}

/** The portal's issuer (its public URL), and the one its tokens carried before (the token endpoint's URL). */
export const TEST_ISSUER = 'https://portal.test';
export const TEST_LEGACY_ISSUER = 'https://portal.test/oauth2/token';
export const TEST_AUDIENCE = 'privatejet-gateway';
export const TEST_API = { id: 'a1b2c3d4-0000-4000-8000-000000000001', tenant: 'carbon.super', name: 'PetStore', context: '/petstore', version: '1.0.0' };

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  pem: string;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, pem: await exportSPKI(publicKey) };
}

export const PETSTORE_ROUTES: GatewaySpec['routes'] = [
  { template: '/pets', operations: [{ method: 'GET', public: false }, { method: 'POST', public: false }] },
  { template: '/pets/{petId}', operations: [{ method: 'GET', public: false }, { method: 'PUT', public: false }, { method: 'DELETE', public: false }] },
  { template: '/pets/mine', operations: [{ method: 'GET', public: false }] },
  { template: '/files/{name}.json', operations: [{ method: 'GET', public: false }] },
  { template: '/slow', operations: [{ method: 'GET', public: false }] },
  { template: '/upload', operations: [{ method: 'POST', public: false }] },
  { template: '/public/status', operations: [{ method: 'GET', public: true }] },
];

export function testSpec(backendUrl: string, keys: SigningKey[], overrides: Partial<GatewaySpec> = {}): GatewaySpec {
  return {
    api: TEST_API,
    routes: PETSTORE_ROUTES,
    endpoints: [backendUrl],
    sandboxEndpoints: [],
    security: { jwt: true, opaqueTokens: false },
    authorizationServer: {
      issuers: [TEST_ISSUER, TEST_LEGACY_ISSUER],
      audience: TEST_AUDIENCE,
      keys: keys.map((key) => ({ kid: key.kid, pem: key.pem })),
      clockSkewSeconds: 30,
      clientId: 'gateway-client',
      introspectionUrl: 'http://127.0.0.1:9/introspect',
      revocationsUrl: 'http://127.0.0.1:9/revocations',
      revocationsPollSeconds: 10,
      introspectionCacheSeconds: 60,
    },
    tiers: { Gold: 5000, Bronze: 5, Unlimited: 'unlimited' },
    replicas: 1,
    forwardedProto: 'https',
    cors: { allowedOrigins: ['https://portal.test'], maxAgeSeconds: 600 },
    limits: { maxBodyBytes: 1024 * 1024, connectTimeoutMs: 1000, responseTimeoutMs: 2000 },
    ...overrides,
  };
}

/** Claims of a valid token for TEST_API in the portal's format; override per case. */
export function tokenClaims(overrides: Record<string, unknown> & { tier?: string; applicationId?: string } = {}): Record<string, unknown> {
  const { tier = 'Gold', applicationId = 'app-1', ...claimOverrides } = overrides;
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    sub: `key-${applicationId}`,
    aud: TEST_AUDIENCE,
    exp: now + 3600,
    iat: now,
    nbf: now,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    client_id: `key-${applicationId}`,
    tenant: TEST_API.tenant,
    application: { id: applicationId, name: `Application ${applicationId}`, tier: 'Unlimited', owner: 'dev1' },
    subscriptions: { [TEST_API.id]: tier },
    ...claimOverrides,
  };
}

export function signToken(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
}

export interface TestGateway {
  url: string;
  process: GatewayProcess;
  directory: string;
  /** Writes the files of `spec` and reloads the running proxy. */
  update(spec: GatewaySpec): Promise<void>;
  stop(): Promise<void>;
}

async function writeGatewayFiles(directory: string, spec: GatewaySpec): Promise<void> {
  const files = haproxyGatewayFiles(spec);
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(path.join(directory, name), text)));
}

/** A gateway for `spec` on a free loopback port, run by `runtime`; `secret` becomes its client secret file. */
export async function startTestGateway(
  runtime: HaproxyRuntime,
  spec: GatewaySpec,
  options: {
    secret?: string;
    accessLogFd?: number;
    /** The userlist file, as rendered from a Basic resource. */
    basicUsersConfig?: string;
    /** client-id and client-secret of the cluster's other introspection server, as its Secret would be mounted. */
    externalIntrospectionClient?: { clientId: string; clientSecret: string };
  } = {},
): Promise<TestGateway> {
  const parent = runtime.rootDir ? path.join(runtime.rootDir, 'tmp') : tmpdir();
  await mkdir(parent, { recursive: true });
  const directory = await mkdtemp(path.join(parent, 'privatejet-gateway-'));
  await writeGatewayFiles(directory, spec);
  if (options.basicUsersConfig !== undefined) await writeFile(path.join(directory, BASIC_USERS_CONFIG_FILE), options.basicUsersConfig, { mode: 0o600 });
  let secretFile: string | undefined;
  if (options.secret !== undefined) {
    secretFile = path.join(directory, 'client-secret');
    await writeFile(secretFile, options.secret, { mode: 0o600 });
  }
  let externalIntrospectionDir: string | undefined;
  if (options.externalIntrospectionClient) {
    externalIntrospectionDir = path.join(directory, 'oauth-introspection');
    await mkdir(externalIntrospectionDir);
    await writeFile(path.join(externalIntrospectionDir, 'client-id'), options.externalIntrospectionClient.clientId);
    await writeFile(path.join(externalIntrospectionDir, 'client-secret'), options.externalIntrospectionClient.clientSecret, { mode: 0o600 });
  }
  await checkHaproxyConfig(directory, runtime);
  const process = new GatewayProcess({ directory, runtime, secretFile, externalIntrospectionDir, accessLogFd: options.accessLogFd, maxConsecutiveCrashes: 0 });
  await process.start();
  return {
    url: process.url!,
    process,
    directory,
    async update(next) {
      await writeGatewayFiles(directory, next);
      await checkHaproxyConfig(directory, runtime);
      process.reload();
    },
    async stop() {
      await process.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
