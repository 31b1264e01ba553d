import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * One replica of the app for tests of several replicas on one database: a Node process that runs
 * the app's real start-up (lib/startup.ts, as `next start` does) and then stays up, working on
 * deployment jobs, until it is stopped or killed. It runs node itself with tsx's loader (not the
 * tsx command, which would put a second process between the test and the replica), so its PID
 * is the one in the leases it holds and a SIGKILL kills the replica at once.
 */
export interface AppReplica {
  pid: number;
  /** Everything it printed, for a failing test's message. */
  output(): string;
  /** Whether the process has ended (killed, crashed or stopped). */
  exited(): boolean;
  /** Its exit code once it has ended by itself (null while running, or when a signal ended it). */
  exitCode(): number | null;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const STARTED_LINE = 'PrivateJet: sign in at';

export async function startAppReplica(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<AppReplica> {
  const root = process.cwd();
  const tsx = path.join(root, 'node_modules/tsx/dist');
  const startup = path.join(root, 'lib/startup.ts');
  // Kept alive by a timer: the app's own timers do not hold a process open on their own.
  const script = `import(${JSON.stringify(startup)}).then((s) => (s.startApp ?? s.default.startApp)()).then(() => setInterval(() => {}, 1 << 30));`;
  const child: ChildProcess = spawn(process.execPath, ['--require', path.join(tsx, 'preflight.cjs'), '--import', pathToFileURL(path.join(tsx, 'loader.mjs')).href, '--eval', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ended = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((ended = true), resolve())));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the replica did not start in time:\n${output}`)), options.startTimeoutMs ?? 120_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(STARTED_LINE)) clearTimeout(timer), resolve();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exit.then(() => (clearTimeout(timer), reject(new Error(`the replica exited while starting:\n${output}`))));
  });
  const replica: AppReplica = {
    pid: child.pid!,
    output: () => output,
    exited: () => ended,
    exitCode: () => child.exitCode,
    async kill(signal) {
      if (!ended) child.kill(signal);
      await exit;
    },
  };
  try {
    await started;
  } catch (error) {
    await replica.kill('SIGKILL');
    throw error;
  }
  return replica;
}
