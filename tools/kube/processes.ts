import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface LaunchedProcess {
  pid: number;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<string>;
}

let setprivAvailable: boolean | undefined;

// setpriv --pdeathsig makes the kernel kill the server when the test process dies, even
// by SIGKILL, where no 'exit' handler of ours could run.
function canUseParentDeathSignal(): boolean {
  setprivAvailable ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable;
}

/**
 * Starts a server with its output appended to logFile.
 * detached: the process outlives this one (used by the `up` command); otherwise it is
 * tied to this process and killed when it exits.
 */
export function launchServer(
  binary: string,
  args: string[],
  logFile: string,
  detached: boolean,
  env?: NodeJS.ProcessEnv,
): LaunchedProcess {
  const log = openSync(logFile, 'a');
  const tied = !detached && canUseParentDeathSignal();
  const [command, commandArgs] = tied
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args]]
    : [binary, args];
  let child: ChildProcess;
  try {
    child = spawn(command, commandArgs, { stdio: ['ignore', log, log], detached, env });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (error) => resolve(error.message));
  });
  if (detached) {
    child.unref();
  } else {
    const pid = child.pid;
    killOnExit(pid);
    // Once ended, the PID may be reused by an unrelated process: forget it.
    void exited.then(() => processesToKillOnExit.delete(pid));
  }
  return { pid: child.pid, exited };
}

const processesToKillOnExit = new Set<number>();
let exitHookInstalled = false;

function killOnExit(pid: number): void {
  processesToKillOnExit.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only stop that needs no waiting.
  process.once('exit', () => {
    for (const leftover of processesToKillOnExit) sendSignal(leftover, 'SIGKILL');
  });
}

export function isProcessAlive(pid: number): boolean {
  // 0 stands for "not started"; kill(0) would signal our whole process group.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // A zombie has ended but still answers kill(pid, 0); /proc tells them apart.
    // Format: "pid (command) state …"; the command may itself contain parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    return sendSignal(pid, 0);
  }
}

/** The command line of a running process, to check a recorded PID still is our server. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilEnded(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** SIGTERM, then SIGKILL when the process has not ended within timeoutMs. */
export async function terminateProcess(pid: number, timeoutMs: number): Promise<void> {
  processesToKillOnExit.delete(pid);
  if (!isProcessAlive(pid)) return;
  sendSignal(pid, 'SIGTERM');
  if (await waitUntilEnded(pid, timeoutMs)) return;
  sendSignal(pid, 'SIGKILL');
  await waitUntilEnded(pid, 5_000);
}
