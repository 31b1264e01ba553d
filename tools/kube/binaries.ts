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

export function binariesIn(dir: string): KubeBinaries {
  return {
    dir,
    kubeApiserver: path.join(dir, 'kube-apiserver'),
    etcd: path.join(dir, 'etcd'),
    kubePki: path.join(dir, 'kube-pki'),
  };
}

// build.sh owns the cache layout and the "is it current" decision; this only asks it.
// It returns in milliseconds when the binaries are already built.
export async function ensureKubeBinaries(options: { force?: boolean } = {}): Promise<KubeBinaries> {
  const args = [path.join(kubeToolsDir, 'build.sh'), ...(options.force ? ['--force'] : [])];
  const stdout = await runBuildScript(args);
  const dir = stdout.trim().split('\n').at(-1);
  if (!dir) throw new Error('tools/kube/build.sh printed no output folder');
  const binaries = binariesIn(dir);
  for (const file of [binaries.kubeApiserver, binaries.etcd, binaries.kubePki]) {
    await access(file, constants.X_OK);
  }
  return binaries;
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
