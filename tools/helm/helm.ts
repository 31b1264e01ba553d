import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The chart, from the repository root (every test runner starts there). */
export const chartDir = path.resolve(process.env.PRIVATEJET_REPO_ROOT ?? process.cwd(), 'deploy/helm/privatejet');
const buildScript = path.resolve(chartDir, '../../../tools/helm/build.sh');

/** On a machine that has never built Helm, the first call builds it (minutes). */
export const HELM_FIRST_BUILD_TIMEOUT_MS = 30 * 60_000;

let binary: string | undefined;

/** The Helm binary tools/helm/build.sh built (or builds now, once per machine). */
export function helmBinary(): string {
  // stderr carries the build's progress: show it as it happens.
  binary ??= execFileSync('bash', [buildScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!;
  return binary;
}

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the values written to a file (JSON is YAML), as `helm -f values.yaml` would read them. */
export function runHelm(args: string[], values: object = {}): HelmRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'privatejet-helm-'));
  try {
    const valuesFile = path.join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const result = spawnSync(helmBinary(), [...args, '-f', valuesFile], {
      encoding: 'utf8',
      // Helm keeps no state of its own for lint and template; still, never the user's.
      env: { ...process.env, HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir },
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart: every object it renders, in order. Throws with Helm's message. */
export function renderChart(values: object, options: { releaseName?: string; namespace?: string } = {}): RenderedObject[] {
  const result = runHelm(['template', options.releaseName ?? 'portal', chartDir, '--namespace', options.namespace ?? 'privatejet'], values);
  if (result.status !== 0) throw new Error(result.stderr.trim());
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as RenderedObject | null)
    .filter((object): object is RenderedObject => object !== null);
}
