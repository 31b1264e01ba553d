import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './server';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import { testConfig } from './test-support/test-gateway';

// A mounted ConfigMap is updated the way the kubelet does it: a new timestamped folder, then
// an atomic rename of the "..data" symlink; config.json itself is a symlink through "..data".

let directory: string;
let firstBackend: TestBackend;
let secondBackend: TestBackend;
let gateway: RunningGateway;
const events: string[] = [];
let revision = 0;

async function publishConfigMap(config: unknown): Promise<void> {
  const revisionFolder = `..rev_${++revision}`;
  await mkdir(path.join(directory, revisionFolder));
  await writeFile(path.join(directory, revisionFolder, 'config.json'), JSON.stringify(config));
  await symlink(revisionFolder, path.join(directory, '..data_tmp'));
  await rename(path.join(directory, '..data_tmp'), path.join(directory, '..data'));
}

beforeAll(async () => {
  [firstBackend, secondBackend] = await Promise.all([startTestBackend(), startTestBackend()]);
  directory = await mkdtemp(path.join(tmpdir(), 'gateway-configmap-'));
  await publishConfigMap(testConfig(firstBackend.url, undefined));
  await symlink('..data/config.json', path.join(directory, 'config.json'));
  gateway = await startGateway({
    configPath: path.join(directory, 'config.json'),
    host: '127.0.0.1',
    port: 0,
    eventSink: (chunk) => events.push(chunk),
    accessLogSink: () => {},
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([firstBackend?.close(), secondBackend?.close()]);
  if (directory) await rm(directory, { recursive: true, force: true });
});

it('switches to a changed ConfigMap under traffic without failing a request, and keeps the old one when the new one is invalid', async () => {
  const statuses = new Map<number, number>();
  let stop = false;
  const trafficLoops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`);
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  });

  await new Promise((resolve) => setTimeout(resolve, 150));
  await publishConfigMap(testConfig(secondBackend.url, undefined));
  await waitFor(() => secondBackend.received.length > 0);

  // An invalid config (reserved context) must be logged and ignored.
  const invalid = testConfig(firstBackend.url, undefined);
  await publishConfigMap({ ...invalid, api: { ...invalid.api, context: '/health' } });
  await waitFor(() => events.join('').includes('"event":"config_rejected"'));
  const servedBySecondBefore = secondBackend.received.length;
  await new Promise((resolve) => setTimeout(resolve, 150));

  stop = true;
  await Promise.all(trafficLoops);

  expect([...statuses.keys()]).toEqual([200]);
  expect(statuses.get(200)).toBeGreaterThan(20);
  expect(secondBackend.received.length).toBeGreaterThan(servedBySecondBefore);
  const rejection = events.join('').split('\n').find((line) => line.includes('config_rejected'))!;
  expect(rejection).toContain('api.context: must not start with /health or /metrics');
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
