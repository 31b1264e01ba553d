/**
 * npx tsx tools/kube/cli.ts build [--force]          build every binary and test image (cached outside the repo)
 * npx tsx tools/kube/cli.ts up                       start a full single-node cluster in the background (root)
 * npx tsx tools/kube/cli.ts up --api-server-only     start only etcd + kube-apiserver (no pods, no root needed)
 * npx tsx tools/kube/cli.ts down                     stop whichever of the two runs, undo its changes, remove its data
 *
 * The running cluster lives in .cache/kube/ of the repository (git-ignored): its kubeconfig,
 * certificates, logs/ and data. A full cluster also records itself in /run/privatejet-cluster.json.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureClusterBinaries, repoRoot } from './binaries';
import { runningClusterIn, startCluster, stopClusterIn } from './cluster';
import { isRecordAlive } from './cluster-host';
import { isControlPlaneRunning, startControlPlane, stopControlPlaneIn } from './control-plane';
import { ensureTestImages } from './test-images';

const stateDir = path.join(repoRoot, '.cache', 'kube');
const kubeconfigPath = path.join(stateDir, 'kubeconfig');

async function build(args: string[]): Promise<void> {
  const force = args.includes('--force');
  const binaries = await ensureClusterBinaries({ force });
  await ensureTestImages({ force });
  console.log(binaries.dir);
}

async function up(args: string[]): Promise<void> {
  const cluster = runningClusterIn(stateDir);
  if ((cluster && isRecordAlive(cluster)) || isControlPlaneRunning(stateDir)) {
    console.error('A cluster is already running (npm run kube:down stops it).');
    console.log(kubeconfigPath);
    return;
  }
  // Whatever a crashed or killed earlier run left there is stale: undo it before removing.
  await stopClusterIn(stateDir);
  await stopControlPlaneIn(stateDir);
  await rm(stateDir, { recursive: true, force: true });

  if (args.includes('--api-server-only')) {
    const startedAt = performance.now();
    const controlPlane = await startControlPlane({ name: 'privatejet-local', dataDir: stateDir, detached: true });
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    console.error(
      `API server ready in ${seconds}s at ${controlPlane.masterUrl} ` +
        `(etcd pid ${controlPlane.pids.etcd}, kube-apiserver pid ${controlPlane.pids.kubeApiserver}).`,
    );
    console.error(`Use it with: export KUBECONFIG=${controlPlane.kubeconfigPath}`);
    console.log(controlPlane.kubeconfigPath);
    return;
  }

  const started = await startCluster({ name: 'privatejet-local', dataDir: stateDir, detached: true });
  const binaries = await ensureClusterBinaries();
  console.error(
    [
      `Cluster ready in ${started.startSeconds}s.`,
      `  API server (MasterURL):  ${started.masterUrl}`,
      `  ingress (AccessURL):     ${started.ingressUrl}   ingressClassName: ${started.ingressClassName}`,
      `  gateway image:           ${started.images.gateway}   (cluster property GatewayImage)`,
      `  sample backend image:    ${started.images.sampleBackend}   (listens on 8090)`,
      `  logs:                    ${path.join(stateDir, 'logs')}`,
      `Use it with: export KUBECONFIG=${started.kubeconfigPath}; ${binaries.kubectl} get nodes`,
    ].join('\n'),
  );
  console.log(started.kubeconfigPath);
}

async function down(): Promise<void> {
  if (await stopClusterIn(stateDir)) {
    console.error('Cluster stopped; the machine is as it was.');
    return;
  }
  const stopped = await stopControlPlaneIn(stateDir);
  console.error(stopped ? 'API server stopped.' : 'Nothing was running.');
}

const commands: Record<string, (args: string[]) => Promise<void>> = { build, up, down };

async function main(): Promise<void> {
  const [name = '', ...args] = process.argv.slice(2);
  const command = commands[name];
  if (!command) {
    console.error('usage: tsx tools/kube/cli.ts build [--force] | up [--api-server-only] | down');
    process.exitCode = 2;
    return;
  }
  await command(args);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  // The servers run on without us; idle keep-alive sockets to the API server must not hold
  // the command open (an unref'd timer only fires if something else still does).
  .finally(() => setTimeout(() => process.exit(), 200).unref());
