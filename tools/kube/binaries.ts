import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

// Resolved from the repository root (every runner starts there), not import.meta: the
// Playwright loader compiles to CommonJS, where import.meta does not exist.
export const kubeToolsDir = path.resolve(process.env.PRIVATEJET_REPO_ROOT ?? process.cwd(), 'tools', 'kube');
export const repoRoot = path.resolve(kubeToolsDir, '../..');

export interface KubeBinaries {
  dir: string;
  kubeApiserver: string;
  etcd: string;
  kubePki: string;
}

/** What a full single-node cluster runs on top of the control plane. */
export interface ClusterBinaries extends KubeBinaries {
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  /** For the setup guide's commands in tests, and for people using `npm run kube:up`. */
  kubectl: string;
  /** The ingress controller (Skipper). */
  skipper: string;
  /** The cluster DNS server. */
  coredns: string;
}

export function binariesIn(dir: string): KubeBinaries {
  return {
    dir,
    kubeApiserver: path.join(dir, 'kube-apiserver'),
    etcd: path.join(dir, 'etcd'),
    kubePki: path.join(dir, 'kube-pki'),
  };
}

export function clusterBinariesIn(dir: string): ClusterBinaries {
  return {
    ...binariesIn(dir),
    kubelet: path.join(dir, 'kubelet'),
    kubeControllerManager: path.join(dir, 'kube-controller-manager'),
    kubeScheduler: path.join(dir, 'kube-scheduler'),
    kubeProxy: path.join(dir, 'kube-proxy'),
    kubectl: path.join(dir, 'kubectl'),
    skipper: path.join(dir, 'skipper'),
    coredns: path.join(dir, 'coredns'),
  };
}

// build.sh owns the cache layout and the "is it current" decision; this only asks it.
// It returns in milliseconds when the binaries are already built. Only the control plane's
// group is asked for, so the many API-server-only tests never wait for the node's build.
export async function ensureKubeBinaries(options: { force?: boolean } = {}): Promise<KubeBinaries> {
  return binariesIn(await buildGroups(['control-plane'], options));
}

/** Every binary of the full cluster: control plane, node components, ingress controller. */
export async function ensureClusterBinaries(options: { force?: boolean } = {}): Promise<ClusterBinaries> {
  return clusterBinariesIn(await buildGroups(['control-plane', 'node', 'ingress', 'dns'], options));
}

async function buildGroups(groups: string[], options: { force?: boolean }): Promise<string> {
  const args = [path.join(kubeToolsDir, 'build.sh'), ...(options.force ? ['--force'] : []), ...groups];
  const stdout = await runBuildScript(args);
  const dir = stdout.trim().split('\n').at(-1);
  if (!dir) throw new Error('tools/kube/build.sh printed no output folder');
  const binaries = clusterBinariesIn(dir);
  const expected: Record<string, string[]> = {
    'control-plane': [binaries.kubeApiserver, binaries.etcd, binaries.kubePki],
    node: [binaries.kubelet, binaries.kubeControllerManager, binaries.kubeScheduler, binaries.kubeProxy, binaries.kubectl],
    ingress: [binaries.skipper],
    dns: [binaries.coredns],
  };
  for (const file of groups.flatMap((group) => expected[group] ?? [])) {
    await access(file, constants.X_OK);
  }
  return dir;
}

function runBuildScript(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // stderr carries the build's progress and timings: show it as it happens.
    const build = spawn('bash', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    build.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    build.on('error', reject);
    build.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`tools/kube/build.sh failed with exit code ${code}`));
    });
  });
}
