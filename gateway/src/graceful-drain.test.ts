import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import { testConfig } from './test-support/test-gateway';

// The bundled gateway as a real process: SIGTERM must let an in-flight request finish, refuse
// new connections, and exit 0.

const repositoryRoot = path.resolve(__dirname, '..', '..');
let backend: TestBackend;
let directory: string;
let child: ChildProcess | undefined;

/** Starts the bundle and resolves with its port, read from the `listening` event on stderr. */
async function startBundledGateway(
  extraEnv: Record<string, string> = {},
  listeningProcesses = 1,
): Promise<{ process: ChildProcess; port: number }> {
  const started = spawn(process.execPath, [path.join(repositoryRoot, 'gateway', 'dist', 'gateway.mjs')], {
    env: { ...process.env, GATEWAY_CONFIG: path.join(directory, 'config.json'), HOST: '127.0.0.1', PORT: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    started.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = [...stderr.matchAll(/"event":"listening".*"port":(\d+)/g)];
      if (listening.length >= listeningProcesses) resolve(Number(listening[0]![1]));
    });
    started.once('exit', () => reject(new Error(`gateway exited early: ${stderr}`)));
  });
  return { process: started, port };
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(repositoryRoot, 'gateway', 'build.mjs')], { stdio: 'ignore' });
  backend = await startTestBackend();
  directory = await mkdtemp(path.join(tmpdir(), 'gateway-drain-'));
  await writeFile(path.join(directory, 'config.json'), JSON.stringify(testConfig(backend.url, undefined)));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await backend?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

it('finishes the in-flight request after SIGTERM, then stops listening and exits 0', async () => {
  const { process: gateway, port } = await startBundledGateway();
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  const gatewayUrl = `http://127.0.0.1:${port}`;
  let accessLog = '';
  gateway.stdout!.on('data', (chunk: Buffer) => (accessLog += chunk.toString()));

  const slowCall = fetch(`${gatewayUrl}/petstore/1.0.0/slow?ms=800`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  gateway.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));

  const refusedAfterSigterm = await fetch(`${gatewayUrl}/health/live`).then(
    () => false,
    () => true,
  );
  const slowResponse = await slowCall;
  expect(slowResponse.status).toBe(200);
  expect(((await slowResponse.json()) as { url: string }).url).toBe('/slow?ms=800');
  expect(refusedAfterSigterm).toBe(true);
  expect(await exited).toBe(0);
  expect(accessLog).toContain('"path":"/petstore/1.0.0/slow","status":200');
});

it('serves from several worker processes with WORKERS=2 and stops them all on SIGTERM', async () => {
  // A fixed port: with node:cluster, PORT=0 would give each worker its own random port.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const { process: primary } = await startBundledGateway({ WORKERS: '2', PORT: String(port) }, 2);
  const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
  const response = await fetch(`http://127.0.0.1:${port}/petstore/1.0.0/pets`);
  expect(response.status).toBe(200);
  const workerIds = new Set<string>();
  for (let call = 0; call < 20; call++) {
    const answer = await fetch(`http://127.0.0.1:${port}/health/live`, { headers: { connection: 'close' } });
    workerIds.add(answer.headers.get('x-request-id')!.split('-')[0]!);
  }
  expect(workerIds.size).toBe(2);
  primary.kill('SIGTERM');
  expect(await exited).toBe(0);
});
