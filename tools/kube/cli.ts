/**
 * npx tsx tools/kube/cli.ts build [--force]   build kube-apiserver + etcd (cached outside the repo)
 * npx tsx tools/kube/cli.ts up                start one control plane in the background
 * npx tsx tools/kube/cli.ts down              stop it and remove its data
 *
 * The running control plane lives in .cache/kube/ of the repository (git-ignored): its
 * kubeconfig, the server PIDs (processes.json), logs and etcd data.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureKubeBinaries, repoRoot } from './binaries';
import { isControlPlaneRunning, startControlPlane, stopControlPlaneIn } from './control-plane';

const stateDir = path.join(repoRoot, '.cache', 'kube');
const kubeconfigPath = path.join(stateDir, 'kubeconfig');

async function build(args: string[]): Promise<void> {
  const binaries = await ensureKubeBinaries({ force: args.includes('--force') });
  console.log(binaries.dir);
}

async function up(): Promise<void> {
  if (isControlPlaneRunning(stateDir)) {
    console.error('A control plane is already running (npm run kube:down stops it).');
    console.log(kubeconfigPath);
    return;
  }
  // Whatever a crashed or killed earlier run left there is stale.
  await stopControlPlaneIn(stateDir);
  await rm(stateDir, { recursive: true, force: true });
  const startedAt = performance.now();
  const controlPlane = await startControlPlane({ name: 'privatejet-local', dataDir: stateDir, detached: true });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.error(
    `Control plane ready in ${seconds}s at ${controlPlane.masterUrl} ` +
      `(etcd pid ${controlPlane.pids.etcd}, kube-apiserver pid ${controlPlane.pids.kubeApiserver}).`,
  );
  console.error(`Use it with: export KUBECONFIG=${controlPlane.kubeconfigPath}`);
  console.log(controlPlane.kubeconfigPath);
}

async function down(): Promise<void> {
  const stopped = await stopControlPlaneIn(stateDir);
  console.error(stopped ? 'Control plane stopped.' : 'No control plane was running.');
}

const commands: Record<string, (args: string[]) => Promise<void>> = { build, up, down };

async function main(): Promise<void> {
  const [name = '', ...args] = process.argv.slice(2);
  const command = commands[name];
  if (!command) {
    console.error('usage: tsx tools/kube/cli.ts build [--force] | up | down');
    process.exitCode = 2;
    return;
  }
  await command(args);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
