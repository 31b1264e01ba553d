// Publish benchmark: how long until every object of one API is applied, through the native
// `kubernetes` manager, to real kube-apiservers (tools/kube) with service-account tokens and the
// committed RBAC, exactly as a publish does. Prints figures; not part of the tests.
//
//   npx tsx bench/publish/run.ts            (ROUNDS=30 APIS=100 by default)
//
// Design target: median < 300 ms to 3 clusters in parallel. Each round deploys a new version,
// so every round creates its objects (ConfigMap, Deployment, Service, Ingress) rather than
// re-applying unchanged ones. Three control planes run at once on this machine, so the figures
// include their CPU contention; real clusters add network latency instead.

import { performance } from 'node:perf_hooks';
import { kubernetesContainerManager as manager } from '../../lib/containers/kubernetes/kubernetes-manager';
import { sampleApi } from '../../lib/test-support/kubernetes/sample-api';
import { startRealCluster, type RealCluster } from '../../lib/test-support/kubernetes/real-clusters';
import type { TargetCluster } from '../../lib/containers/container-manager';

const rounds = Number(process.env.ROUNDS ?? 30);
const apiCount = Number(process.env.APIS ?? 100);
const warmupRounds = 2;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const format = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;
  return `${label.padEnd(40)} n=${String(samples.length).padStart(3)}  median ${format(percentile(sorted, 50))}  p95 ${format(percentile(sorted, 95))}  min ${format(sorted[0] ?? NaN)}  max ${format(sorted.at(-1) ?? NaN)}`;
}

/** Deploys one new API version to every cluster in parallel; the time until all are applied. */
async function publishRound(clusters: TargetCluster[], version: string): Promise<number> {
  const api = sampleApi({ version });
  const start = performance.now();
  await Promise.all(clusters.map((cluster) => manager.deploy(api, cluster)));
  return performance.now() - start;
}

async function measureRounds(clusters: TargetCluster[], versionPrefix: string): Promise<number[]> {
  for (let round = 0; round < warmupRounds; round++) await publishRound(clusters, `${versionPrefix}.warmup.${round}`);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) samples.push(await publishRound(clusters, `${versionPrefix}.${round}`));
  return samples;
}

async function main(): Promise<void> {
  console.log(`Starting 3 kube-apiservers (v1.37.2, etcd 3.7.0) with service accounts and deploy/rbac/kubernetes.yaml …`);
  const started = performance.now();
  const reals: RealCluster[] = await Promise.all(['bench-a', 'bench-b', 'bench-c'].map((name) => startRealCluster(name, 'kubernetes')));
  console.log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  try {
    const clusters = reals.map((real) => real.cluster);
    const one = await measureRounds(clusters.slice(0, 1), '1');
    const three = await measureRounds(clusters, '3');

    const sequentialStart = performance.now();
    const perApi: number[] = [];
    for (let index = 0; index < apiCount; index++) {
      const api = sampleApi({ apiId: `bench-${index}`, name: `Bench API ${index}`, context: `/bench${index}` });
      const start = performance.now();
      await manager.deploy(api, clusters[0]!);
      perApi.push(performance.now() - start);
    }
    const sequentialTotal = performance.now() - sequentialStart;

    console.log('Publish: every object of one API applied (server-side apply), new objects each round');
    console.log(summary('1 cluster', one));
    console.log(summary('3 clusters in parallel', three));
    console.log(summary(`${apiCount} APIs one after another, 1 cluster`, perApi));
    console.log(`${`${apiCount} APIs one after another`.padEnd(40)} total ${(sequentialTotal / 1000).toFixed(2)} s, ${(sequentialTotal / apiCount).toFixed(1)} ms per API`);
    const median3 = percentile([...three].sort((a, b) => a - b), 50);
    console.log(`\nTarget: median < 300 ms for 3 clusters → ${median3 < 300 ? 'met' : 'NOT met'} (${median3.toFixed(1)} ms)`);
  } finally {
    await Promise.all(reals.map((real) => real.controlPlane.stop()));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
