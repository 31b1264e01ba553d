import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GATEWAY_LIMITS, gatewaySpecFor } from '@/lib/gateway/gateway-spec-for';
import { haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { SAMPLE_PLATFORM } from '../../test-support/kubernetes/sample-api';
import { GatewayProcess, type GatewayProcessStatus } from './haproxy-process';
import { LocalIngress } from './ingress';

// Publish → answer through the ingress; kill -9 → restarted and answering; stop → gone.
// Uses the machine's haproxy and the sample pet-store backend as child processes.

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
let directory: string;
let backendProcess: ChildProcess;
let backendUrl: string;
let ingress: LocalIngress;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'local-manager-'));
  backendProcess = spawn(process.execPath, [path.join(repositoryRoot, 'tools', 'sample-backend', 'server.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  backendUrl = await new Promise<string>((resolve, reject) => {
    backendProcess.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url));
    backendProcess.once('exit', () => reject(new Error('the sample backend did not start')));
  });
  ingress = new LocalIngress({ port: 0 });
  await ingress.start();
});

afterAll(async () => {
  await gateway?.stop();
  await ingress?.close();
  backendProcess?.kill('SIGTERM');
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** The sample pet store's gateway files, open to anyone (no security), in a folder of its own. */
async function writePetStoreGateway(folder: string): Promise<string> {
  const openapi = parseYaml(await readFile(path.join(repositoryRoot, 'tools', 'sample-backend', 'openapi.yaml'), 'utf8')) as Record<string, unknown>;
  const spec = gatewaySpecFor(
    {
      apiId: 'petstore-local',
      tenantDomain: 'carbon.super',
      name: 'PetStore',
      context: '/petstore',
      version: '1.0.0',
      openapi,
      productionEndpoints: [backendUrl],
      security: { oauth2: false },
      tiers: ['Unlimited'],
      cors: { enabled: false, allowedOrigins: [] },
    },
    SAMPLE_PLATFORM,
    { replicas: 1, accessUrl: 'http://localhost:8243' },
  );
  expect(spec.limits).toEqual(GATEWAY_LIMITS);
  const gatewayDir = path.join(directory, folder);
  await mkdir(gatewayDir, { recursive: true });
  for (const [name, text] of Object.entries(haproxyGatewayFiles(spec))) await writeFile(path.join(gatewayDir, name), text);
  return gatewayDir;
}

async function waitForState(process: GatewayProcess, state: GatewayProcessStatus['state'], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (process.status().state !== state) {
    if (Date.now() > deadline) throw new Error(`still ${process.status().state}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('publishes an API whose gateway answers through the ingress, survives kill -9, and is gone after stop', async () => {
  const gatewayDir = await writePetStoreGateway('petstore');
  const publishedAt = Date.now();
  gateway = new GatewayProcess({ directory: gatewayDir, initialBackoffMs: 100 });
  ingress.setRoute('/petstore/1.0.0', 'petstore-api', gateway);
  await gateway.start();
  const first = await fetch(`${ingress.url}/petstore/1.0.0/pets`);
  expect(first.status).toBe(200);
  expect(((await first.json()) as Array<{ name: string }>).map((pet) => pet.name)).toContain('Rex');
  expect(Date.now() - publishedAt).toBeLessThan(5_000);

  const before = gateway.status();
  expect(before).toMatchObject({ state: 'ready', restarts: 0 });
  // the gateway gets none of the app's secrets: its environment holds only what it reads
  const environment = (await readFile(`/proc/${before.pid!}/environ`, 'utf8')).split('\0').filter(Boolean).map((entry) => entry.slice(0, entry.indexOf('=')));
  const expected = ['PRIVATEJET_GATEWAY_BIND', 'PRIVATEJET_GATEWAY_SECRET_FILE'];
  expect(environment.sort()).toEqual(expect.arrayContaining(expected));
  // setenv lines of haproxy.cfg add the gateway's own settings; nothing else of the app's environment.
  const allowed = [...expected, 'NODE_ENV', 'PATH', 'TZ', 'LANG', 'LC_ALL', 'PRIVATEJET_API_ID', 'PRIVATEJET_CLIENT_ID'];
  // haproxy's master adds its own HAPROXY_* variables.
  expect(environment.filter((name) => !allowed.includes(name) && !name.startsWith('HAPROXY_'))).toEqual([]);
  process.kill(before.pid!, 'SIGKILL');
  await waitForState(gateway, 'restarting');
  expect((await fetch(`${ingress.url}/petstore/1.0.0/pets`)).status).toBe(503);
  await waitForState(gateway, 'ready');
  const after = gateway.status();
  expect(after).toMatchObject({ restarts: 1, lastExitReason: 'killed by SIGKILL', port: before.port });
  expect(after.pid).not.toBe(before.pid);
  expect((await fetch(`${ingress.url}/petstore/1.0.0/pets/1`)).status).toBe(200);

  await gateway.stop();
  expect(gateway.status()).toMatchObject({ state: 'stopped' });
  expect(() => process.kill(after.pid!, 0)).toThrow();
  expect((await fetch(`${ingress.url}/petstore/1.0.0/pets`)).status).toBe(503);
  ingress.removeRoute('/petstore/1.0.0', 'petstore-api');
  expect((await fetch(`${ingress.url}/petstore/1.0.0/pets`)).status).toBe(404);
});

it('gives up with state "failed" and the reason when the gateway cannot start', async () => {
  const broken = new GatewayProcess({
    directory: path.join(directory, 'missing-folder'),
    initialBackoffMs: 10,
    maxConsecutiveCrashes: 2,
    readyTimeoutMs: 1_000,
  });
  try {
    await expect(broken.start()).rejects.toThrow(/keeps failing/);
    const status = broken.status();
    expect(status).toMatchObject({ state: 'failed', restarts: 2 });
    expect(status.lastExitReason).toMatch(/^exited with code 1: .*haproxy\.cfg/);
  } finally {
    await broken.stop();
  }
});

it('dies with the process that started it, even when that process is killed with SIGKILL', async () => {
  const gatewayDir = await writePetStoreGateway('orphan-check');
  // A stand-in for the app: a Node process that starts a gateway and reports its pid.
  const app = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${path.join(repositoryRoot, 'lib/containers/local/haproxy-process.ts')}').then(async (module) => {
        const { GatewayProcess } = module.GatewayProcess ? module : module.default;
        const gateway = new GatewayProcess({ directory: ${JSON.stringify(gatewayDir)} });
        await gateway.start();
        console.log(JSON.stringify({ pid: gateway.status().pid }));
      });`,
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = await new Promise<number>((resolve, reject) => {
    app.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { pid: number }).pid));
    app.once('exit', () => reject(new Error('the stand-in app exited before starting its gateway')));
  });
  expect(() => process.kill(pid, 0)).not.toThrow();
  app.kill('SIGKILL');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // gone: no orphan gateway keeps serving
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway ${pid} outlived the process that started it`);
}, 30_000);
