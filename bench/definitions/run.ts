// Import time and generated-object size for large API definitions: generated provider-shaped
// definitions of 1, 5 and 15 MB (lib/test-support/large-definition.ts), and any real one given by
// path. For each: the check in the worker plus the upload's insert (what the upload route does),
// creating the API from the upload, the stored summary query, the Kubernetes objects one deploy
// applies (the native manager's ConfigMap and the rest, the WSO2 operator's definition
// ConfigMap), and `haproxy -c` on the generated config. Not part of the tests.
//
//   npx tsx bench/definitions/run.ts
//   SIZES_MB=1,5,15 DEFINITION=/path/to/api.github.com.json npx tsx bench/definitions/run.ts
//   DATABASE_URL=postgres://… npx tsx bench/definitions/run.ts   (a PostgreSQL server; a throwaway database is made)

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiSchema } from '../../lib/apis/apis.schema';
import { createApi } from '../../lib/apis/apis.service';
import { storedDefinitionSummary } from '../../lib/apis/definition-queries';
import { stageDefinition } from '../../lib/apis/definition-uploads.service';
import type { Actor } from '../../lib/actor';
import { gatewayObjectsFor } from '../../lib/containers/kubernetes/manifests';
import { sampleApi, sampleCluster } from '../../lib/test-support/kubernetes/sample-api';
import { checkHaproxyConfig } from '../../lib/containers/local/haproxy-process';
import { definitionConfigMapFor } from '../../lib/containers/wso2-api-operator/manifests';
import { eq } from 'drizzle-orm';
import { apis, tenants, users } from '../../lib/db/schema';
import { freshTestDatabase } from '../../lib/test-support/test-database';
import { usePlatformClusters } from '../../lib/test-support/deployments';
import { largeDefinitionJson } from '../../lib/test-support/large-definition';

const sizes = (process.env.SIZES_MB ?? '1,5,15').split(',').map(Number).filter((n) => n > 0);
const extra = process.env.DEFINITION;

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function main() {
  const database = await freshTestDatabase();
  usePlatformClusters();
  const [tenant] = await database.db.insert(tenants).values({ domain: 'carbon.super', displayName: 'Super' }).returning();
  const [user] = await database.db.insert(users).values({ tenantId: tenant!.id, username: 'pub', displayName: 'Pub', passwordHash: 'x', roles: ['publisher'] }).returning();
  const actor: Actor = { userId: user!.id, username: 'pub', displayName: 'Pub', tenantId: tenant!.id, tenantDomain: 'carbon.super', roles: ['publisher'] };
  const inputs = [
    ...sizes.map((size) => ({ label: `generated ${size} MB`, text: largeDefinitionJson(size * 1_000_000).text })),
    ...(extra ? [{ label: path.basename(extra), text: readFileSync(extra, 'utf8') }] : []),
  ];
  console.log(`Definitions (${database.kind}; ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite in this process'}):`);
  const rows: string[][] = [['definition', 'size', 'paths', 'operations', 'check + stage', 'create', 'summary query', 'ConfigMap data (native)', 'all objects (JSON)', 'ConfigMap data (WSO2)', 'haproxy -c']];
  for (const [index, input] of inputs.entries()) {
    const bytes = Buffer.byteLength(input.text);
    let started = performance.now();
    const staged = await stageDefinition(actor, { text: input.text, fileName: input.label });
    const stageMs = performance.now() - started;
    started = performance.now();
    const { id } = await createApi(
      actor,
      createApiSchema.parse({ source: 'file', definitionUpload: staged.id, name: `Bench ${index}`, version: '1.0.0', context: `/bench-${index}`, productionEndpoints: 'http://192.0.2.10:8080', tiers: ['Gold'], securityOauth2: 'on' }),
    );
    const createMs = performance.now() - started;
    started = performance.now();
    await storedDefinitionSummary(id);
    const summaryMs = performance.now() - started;

    const [row] = await database.db.select({ openapi: apis.openapi }).from(apis).where(eq(apis.id, id));
    const api = sampleApi({ openapi: row!.openapi, name: `Bench ${index}`, context: `/bench-${index}` });
    const cluster = sampleCluster();
    const plan = gatewayObjectsFor(api, cluster);
    // What Kubernetes counts against its 1 MiB: the keys and values of data.
    const dataBytes = (data: Record<string, string> | undefined) => Object.entries(data ?? {}).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
    const configMapBytes = dataBytes(plan.configMap.data);
    const allBytes = [plan.configMap, plan.secret, ...plan.others].reduce((sum, object) => sum + Buffer.byteLength(JSON.stringify(object)), 0);
    let wso2 = '';
    try {
      wso2 = kib(dataBytes(definitionConfigMapFor(api, cluster).data));
    } catch (error) {
      wso2 = `refused: ${(error as Error).message.slice(0, 60)}`;
    }
    const directory = await mkdtemp(path.join(tmpdir(), 'privatejet-bench-definitions-'));
    await Promise.all(Object.entries(plan.configMap.data!).map(([name, text]) => writeFile(path.join(directory, name), text)));
    started = performance.now();
    await checkHaproxyConfig(directory);
    const haproxyMs = performance.now() - started;
    await rm(directory, { recursive: true, force: true });
    rows.push([
      input.label,
      mb(bytes),
      String(staged.summary.paths),
      String(staged.summary.operations),
      `${(stageMs / 1000).toFixed(1)} s`,
      `${Math.round(createMs)} ms`,
      `${Math.round(summaryMs)} ms`,
      kib(configMapBytes),
      kib(allBytes),
      wso2,
      `${Math.round(haproxyMs)} ms`,
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  console.log('Kubernetes refuses a ConfigMap whose data (keys and values) passes 1024 KiB. "check + stage": parse and validate in the worker, then the insert of the checked document; "create": the API row, copying the document inside the database.');
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
