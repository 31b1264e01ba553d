/**
 * Publish → first 200 through the dedicated gateway on the embedded Local cluster (design
 * target: median < 1.5 s; the original built an image and rolled it out in 1–2 minutes).
 *
 * Side by side, in the same run: how long a bare Node.js HTTP server process takes from spawn
 * to its first answer — the floor of any "one process per API" design on this machine.
 *
 *   npx tsx bench/local-publish/run.ts      (ROUNDS=15 by default; needs the machine's haproxy)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import fs from 'node:fs';
import { changeLifecycleState, createApi, setClusterSelection } from '../../lib/apis/apis.service';
import { createApiSchema } from '../../lib/apis/apis.schema';
import { importApiDefinition } from '../../lib/apis/openapi';
import { localContainerManager } from '../../lib/containers/local/local-manager';
import { openDatabase, setAppDatabase } from '../../lib/db/drizzle';
import { deploymentsSettled } from '../../lib/deployments/deployments.service';
import { freePort, seedPublisherWithApi, usePlatformClusters } from '../../lib/test-support/deployments';
import { percentile, until200 } from '../support';

const ROUNDS = Number(process.env.ROUNDS ?? 15);


async function bareNodeServerFirstAnswer(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  try {
    await until200(`http://127.0.0.1:${port}/`);
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const handle = await openDatabase({ memory: true });
  await handle.migrate();
  setAppDatabase(handle);
  const backendPort = await freePort();
  const backend: ChildProcess = spawn(process.execPath, ['tools/sample-backend/server.mjs'], { env: { ...process.env, PORT: String(backendPort) }, stdio: 'ignore' });
  await until200(`http://127.0.0.1:${backendPort}/pets`);

  const accessUrl = `http://localhost:${await freePort()}`;
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: accessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
  const { actor } = await seedPublisherWithApi(handle.db, { tenantDomain: 'carbon.super', context: '/seed', endpoint: `http://127.0.0.1:${backendPort}` });

  // GET /pets open (security: []) so the first 200 needs no token: this measures deployment, not sign-in.
  const definition = parseYaml(fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  definition.paths['/pets']!.get!.security = [];

  const publishTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const version = `1.0.${round}`;
    const input = createApiSchema.parse({
      source: 'paste',
      name: 'Bench',
      version,
      context: '/bench',
      productionEndpoints: `http://127.0.0.1:${backendPort}`,
      tiers: 'Unlimited',
      securityOauth2: 'on',
    });
    const { id } = await createApi(actor, { ...input, checkedDefinition: await importApiDefinition(JSON.stringify(definition)) });
    await setClusterSelection(actor, id, ['local']);
    const started = performance.now();
    await changeLifecycleState(actor, id, 'PUBLISHED');
    await until200(`${accessUrl}/bench/${version}/pets`);
    publishTimes.push(performance.now() - started);
    bareTimes.push(await bareNodeServerFirstAnswer());
    await deploymentsSettled(id);
    await changeLifecycleState(actor, id, 'BLOCKED'); // one gateway at a time, like a fresh publish
    await deploymentsSettled(id);
  }

  const row = (label: string, values: number[]) =>
    `${label.padEnd(44)} ${percentile(values, 50).toFixed(0).padStart(6)} ms ${percentile(values, 95).toFixed(0).padStart(6)} ms`;
  console.log(`\n${'what'.padEnd(44)} ${'median'.padStart(9)} ${'p95'.padStart(9)}   (${ROUNDS} rounds)`);
  console.log(row('publish → first 200 through the gateway', publishTimes));
  console.log(row('baseline: bare node HTTP process first answer', bareTimes));
  console.log(`ratio (publish / bare process), median: ${(percentile(publishTimes, 50) / percentile(bareTimes, 50)).toFixed(2)}×; design target: median < 1500 ms`);

  await localContainerManager.stopAll();
  backend.kill('SIGTERM');
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
