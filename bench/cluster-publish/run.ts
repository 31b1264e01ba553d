/**
 * Publish → first 200 through a real cluster's Ingress (design target: median < 5 s; the
 * original's operator built an image and rolled it out in 1–2 minutes), beside the same on the
 * Local cluster in the same run, rounds alternating. Also: the cluster's warm start time and the
 * memory of its processes. Needs root (the cluster runs containerd and a bridge).
 *
 *   npx tsx bench/cluster-publish/run.ts      (ROUNDS=7 by default)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { changeLifecycleState, createApi, setClusterSelection } from '../../lib/apis/apis.service';
import { createApiSchema } from '../../lib/apis/apis.schema';
import { importApiDefinition } from '../../lib/apis/openapi';
import { rbacObjectsFor } from '../../lib/containers/rbac';
import { localContainerManager } from '../../lib/containers/local/local-manager';
import { openDatabase, setAppDatabase } from '../../lib/db/drizzle';
import { deploymentsSettled } from '../../lib/deployments/deployments.service';
import { freePort, seedPublisherWithApi, usePlatformClusters } from '../../lib/test-support/deployments';
import { percentile, until200 } from '../support';
import { ensureClusterBinaries } from '../../tools/kube/binaries';
import { startCluster } from '../../tools/kube/cluster';
import { provisionServiceAccount } from '../../tools/kube/service-account';

const ROUNDS = Number(process.env.ROUNDS ?? 7);


const rssMb = (pid: number) => {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

async function main(): Promise<void> {
  const kubectlDir = path.dirname((await ensureClusterBinaries()).kubectl);
  const cluster = await startCluster();
  const handle = await openDatabase({ memory: true });
  let backend: ChildProcess | undefined;
  try {
    const kubectl = (script: string) =>
      execFileSync('bash', ['-c', script], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, PATH: `${kubectlDir}:${process.env.PATH}` }, encoding: 'utf8' });
    kubectl(`kubectl create namespace petstore && kubectl -n petstore create deployment petstore --image=${cluster.images.sampleBackend} --port=8090 && kubectl -n petstore expose deployment petstore --port=8090 && kubectl -n petstore rollout status deployment/petstore --timeout=120s`);
    const access = await provisionServiceAccount(cluster, {
      namespace: 'privatejet',
      serviceAccountName: 'privatejet',
      rbac: rbacObjectsFor('kubernetes', { namespace: 'privatejet', serviceAccount: 'privatejet' }, { includeServiceAccount: false }),
    });

    await handle.migrate();
    setAppDatabase(handle);
    const backendPort = await freePort();
    backend = spawn(process.execPath, ['tools/sample-backend/server.mjs'], { env: { ...process.env, PORT: String(backendPort) }, stdio: 'ignore' });
    await until200(`http://127.0.0.1:${backendPort}/pets`);
    const localAccessUrl = `http://localhost:${await freePort()}`;
    usePlatformClusters([
      { type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: localAccessUrl, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } },
      {
        type: 'Kubernetes',
        clusterName: 'node',
        displayName: 'Test node',
        properties: {
          AccessURL: cluster.ingressUrl,
          MasterURL: access.masterUrl,
          SAToken: access.saToken,
          CACert: access.caCert,
          Namespace: 'privatejet',
          Replicas: 1,
          GatewayImage: cluster.images.gateway,
          IngressClass: cluster.ingressClassName,
          extra: {},
        },
      },
    ]);
    const { actor } = await seedPublisherWithApi(handle.db, { tenantDomain: 'carbon.super', context: '/seed', endpoint: `http://127.0.0.1:${backendPort}` });

    // GET /pets open (security: []) so the first 200 needs no token: this measures deployment, not sign-in.
    const definition = parseYaml(readFileSync('tools/sample-backend/openapi.yaml', 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    definition.paths['/pets']!.get!.security = [];

    const times: Record<'local' | 'node', number[]> = { local: [], node: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of round % 2 === 0 ? (['node', 'local'] as const) : (['local', 'node'] as const)) {
        const version = `${target}-${round}`;
        const endpoint = target === 'node' ? 'http://petstore.petstore.svc.cluster.local:8090' : `http://127.0.0.1:${backendPort}`;
        const input = createApiSchema.parse({
          source: 'paste',
          name: 'Bench',
          version,
          context: '/bench',
          productionEndpoints: endpoint,
          tiers: 'Unlimited',
          securityOauth2: 'on',
        });
        const { id } = await createApi(actor, { ...input, checkedDefinition: await importApiDefinition(JSON.stringify(definition)) });
        await setClusterSelection(actor, id, [target]);
        const accessUrl = target === 'node' ? cluster.ingressUrl : localAccessUrl;
        const started = performance.now();
        await changeLifecycleState(actor, id, 'PUBLISHED');
        await until200(`${accessUrl}/bench/${version}/pets`, 120_000);
        times[target].push(performance.now() - started);
        await deploymentsSettled(id);
        await changeLifecycleState(actor, id, 'BLOCKED');
        await deploymentsSettled(id);
      }
      console.log(`round ${round + 1} of ${ROUNDS} done`);
    }

    const row = (label: string, values: number[]) =>
      `| ${label} | ${percentile(values, 50).toFixed(0)} ms | ${percentile(values, 95).toFixed(0)} ms |`;
    console.log(`\n| publish → first 200 (${ROUNDS} rounds each, alternating) | median | p95 |\n|---|---:|---:|`);
    console.log(row('real cluster: Deployment + Service + Ingress, pod Ready, Ingress routes', times.node));
    console.log(row('Local: haproxy process behind the local ingress', times.local));
    console.log(`\ncluster start (warm: binaries and images cached): ${cluster.startSeconds.toFixed(1)} s`);
    const memory = Object.entries(cluster.pids).map(([name, pid]) => [name, rssMb(pid)] as const);
    console.log(`cluster processes' RSS: ${memory.reduce((sum, [, mb]) => sum + mb, 0).toFixed(0)} MB (${memory.map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(', ')}); pods not counted`);
    console.log('design target: real cluster median < 5000 ms');
  } finally {
    await localContainerManager.stopAll();
    backend?.kill('SIGTERM');
    await handle.close();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
