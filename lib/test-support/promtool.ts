import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '..', '..');

/** `promtool check metrics` (Prometheus' promlint), built from the Go module proxy on first use (tools/promtool/build.sh). */
export function promtoolBinary(): string {
  const script = path.join(repositoryRoot, 'tools', 'promtool', 'build.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

export interface MetricsLint {
  /** 0 when the exposition parses and lints clean. */
  exitCode: number | null;
  /** What promtool said: one line per finding. */
  findings: string[];
}

/** `promtool check metrics` on an exposition in the Prometheus text format: parse errors and naming lint. */
export function checkMetrics(binary: string, exposition: string): MetricsLint {
  const result = spawnSync(binary, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  const findings = `${result.stdout}\n${result.stderr}`.split('\n').map((line) => line.trim()).filter(Boolean);
  return { exitCode: result.status, findings };
}
