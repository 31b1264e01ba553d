import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAccessReport } from '@/lib/containers/connection-check';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import type { TargetCluster } from '../container-manager';
import { sampleApi } from '../../test-support/kubernetes/sample-api';
import { freeLoopbackPort } from './haproxy-process';
import { localContainerManager } from './local-manager';

// The Local cluster's security folders next to deployment.toml, through the local manager and a
// real gateway process behind the local ingress: what the publisher's "Also accept Basic
// credentials" does on one machine, and what the connection check says about the folders.

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let folder: string;
let backend: TestBackend;
let cluster: TargetCluster;
const saved = { toml: process.env.PRIVATEJET_DEPLOYMENT_TOML, data: process.env.PRIVATEJET_DATA_DIR };

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'privatejet-local-security-'));
  process.env.PRIVATEJET_DEPLOYMENT_TOML = path.join(folder, 'deployment.toml');
  process.env.PRIVATEJET_DATA_DIR = path.join(folder, 'data');
  mkdirSync(path.join(folder, 'securitybasic'));
  const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: 'wonderland', encoding: 'utf8' }).trim();
  writeFileSync(path.join(folder, 'securitybasic', 'users'), `# platform users\nalice:${hash}\n`, { mode: 0o600 });
  mkdirSync(path.join(folder, 'brokenjwt'));
  writeFileSync(path.join(folder, 'brokenjwt', 'issuer'), 'https://idp.example.com');
  backend = await startTestBackend();
  const port = await freeLoopbackPort();
  cluster = {
    type: 'Local',
    clusterName: 'local-security',
    displayName: 'Local',
    properties: { AccessURL: `http://127.0.0.1:${port}`, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {}, BasicSecurityCustomResourceName: 'securitybasic' },
  } as TargetCluster;
}, 30_000);

afterAll(async () => {
  await localContainerManager.stopAll();
  await backend?.close();
  rmSync(folder, { recursive: true, force: true });
  for (const [key, value] of [['PRIVATEJET_DEPLOYMENT_TOML', saved.toml], ['PRIVATEJET_DATA_DIR', saved.data]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function waitForStatus(url: string, init: RequestInit, expected: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== expected; i++) {
    status = await fetch(url, init).then((response) => response.status, () => 0);
    if (status !== expected) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return status;
}

describe("a Local cluster's security folders", () => {
  it('admits the Basic users of the folder on an API that allows Basic, and no one with a wrong password', async () => {
    const api = sampleApi({ basic: true, productionEndpoints: [backend.url] });
    await localContainerManager.deploy(api, cluster);
    const url = `${cluster.properties.AccessURL}/petstore/1.0.0/pets`;
    expect(await waitForStatus(url, { headers: { authorization: basic('alice', 'wonderland') } }, 200)).toBe(200);
    expect((await fetch(url, { headers: { authorization: basic('alice', 'nope') } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: basic('mallory', 'wonderland') } })).status).toBe(401);
    await localContainerManager.undeploy(api, cluster);
  }, 60_000);

  it("admits an opaque token that the folder's other authorization server says is active", async () => {
    const idp = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const authorized = request.headers.authorization === basic('gateway-at-idp', 'idp-secret');
        const active = authorized && new URLSearchParams(body).get('token') === 'idp-token';
        response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ active, client_id: 'orders-service' }));
      });
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    try {
      mkdirSync(path.join(folder, 'securityoauth'), { recursive: true });
      writeFileSync(path.join(folder, 'securityoauth', 'introspection-url'), `http://127.0.0.1:${(idp.address() as AddressInfo).port}/introspect`);
      writeFileSync(path.join(folder, 'securityoauth', 'client-id'), 'gateway-at-idp');
      writeFileSync(path.join(folder, 'securityoauth', 'client-secret'), 'idp-secret', { mode: 0o600 });
      const withServer = { ...cluster, clusterName: 'local-oauth', properties: { ...cluster.properties, AccessURL: `http://127.0.0.1:${await freeLoopbackPort()}`, OauthSecurityCustomResourceName: 'securityoauth' } } as TargetCluster;
      const api = sampleApi({ apiId: '5d2c1b0a-2222-4c8e-9a6f-2d4b8e1c3a5f', context: '/orders', productionEndpoints: [backend.url] });
      await localContainerManager.deploy(api, withServer);
      const url = `${withServer.properties.AccessURL}/orders/1.0.0/pets`;
      expect(await waitForStatus(url, { headers: { authorization: 'Bearer idp-token' } }, 200)).toBe(200);
      // The sample platform's portal is not reachable here: a token only the portal could vouch
      // for is "try again" (503), never a guess either way.
      expect((await fetch(url, { headers: { authorization: 'Bearer other-token' } })).status).toBe(503);
      await localContainerManager.undeploy(api, withServer);
    } finally {
      idp.close();
      idp.closeAllConnections();
    }
  }, 60_000);

  it('fails the deploy naming the folder and the key when a named resource is malformed', async () => {
    const api = sampleApi({ apiId: '0e6b3c2a-1111-4c8e-9a6f-2d4b8e1c3a5f', context: '/broken', productionEndpoints: [backend.url] });
    const broken = { ...cluster, properties: { ...cluster.properties, JWTSecurityCustomResourceName: 'brokenjwt' } } as TargetCluster;
    await expect(localContainerManager.deploy(api, broken)).rejects.toThrow(`folder ${path.join(folder, 'brokenjwt')} has no key "audience"`);
  });

  it('shows each folder in the connection check: found and well-formed, or what is wrong', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(path.join(folder, 'securityjwt'));
    writeFileSync(path.join(folder, 'securityjwt', 'issuer'), 'https://idp.example.com');
    writeFileSync(path.join(folder, 'securityjwt', 'audience'), 'orders-api');
    writeFileSync(path.join(folder, 'securityjwt', 'public-key.pem'), publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const good = await clusterAccessReport({ ...cluster, properties: { ...cluster.properties, JWTSecurityCustomResourceName: 'securityjwt' } }, 'local');
    expect(good.ready).toBe(true);
    expect(good.securityResources!.map((status) => status.ok)).toEqual([true, true]);
    const bad = await clusterAccessReport({ ...cluster, properties: { ...cluster.properties, JWTSecurityCustomResourceName: 'brokenjwt', BasicSecurityCustomResourceName: 'nobody' } }, 'local');
    expect(bad.ready).toBe(false);
    expect(bad.securityResources!.map((status) => status.problem)).toEqual([
      expect.stringContaining('there is no Secret "nobody" next to'),
      expect.stringContaining('has no key "audience"'),
    ]);
  });
});
