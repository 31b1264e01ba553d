import { spawn, execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { GATEWAY_ENV, HAPROXY_CONFIG_FILE } from '@/lib/gateway/gateway-files';
import { BASIC_USERS_CONFIG_FILE } from '@/lib/gateway/security-resources';

// Supervises one dedicated gateway on this machine: an HAProxy master-worker process serving
// the files of one folder. Start, readiness, seamless reload (SIGUSR2: a new worker takes the
// port, the old one finishes its requests), restart with exponential back-off after a crash,
// graceful stop (SIGUSR1: stop listening, finish in-flight requests).

export type GatewayProcessState = 'starting' | 'ready' | 'restarting' | 'stopped' | 'failed';

export interface GatewayProcessStatus {
  state: GatewayProcessState;
  /** Restarts after unexpected exits since start(). */
  restarts: number;
  lastExitReason?: string;
  port?: number;
  pid?: number;
}

/** Which haproxy runs the gateway: the machine's own, or one inside a root filesystem (tests of 3.0). */
export interface HaproxyRuntime {
  /** Run with `chroot <rootDir>`; the gateway folder must then lie inside it. */
  rootDir?: string;
  /** The haproxy binary (inside rootDir when set). */
  binary: string;
}

export const HOST_HAPROXY: HaproxyRuntime = { binary: process.env.PRIVATEJET_HAPROXY ?? 'haproxy' };

export interface GatewayProcessOptions {
  /** The folder holding haproxy.cfg and the files it names. */
  directory: string;
  /** The file holding the gateway's client secret (0600); absent = opaque tokens and revocations off. */
  secretFile?: string;
  /** The folder with client-id and client-secret of the cluster's other introspection server, if any. */
  externalIntrospectionDir?: string;
  runtime?: HaproxyRuntime;
  host?: string;
  /** A process that is not ready within this time is killed and counts as a crash. */
  readyTimeoutMs?: number;
  /** Graceful stop first; SIGKILL if still running after this. */
  stopTimeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** After this many crashes in a row without staying ready, give up: state "failed". */
  maxConsecutiveCrashes?: number;
  /** Where the gateway's stdout (the JSON access log) goes: a file descriptor, or dropped. */
  accessLogFd?: number;
  onStatusChange?: (status: GatewayProcessStatus) => void;
}

// A process that stayed ready this long is considered healthy again: back-off starts over.
const STABLE_AFTER_MS = 10_000;
const run = promisify(execFile);

/** A free loopback port: the gateway keeps it across reloads and restarts, so routes to it stay valid. */
export function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The path haproxy sees for a host path: inside the root filesystem when it runs chrooted. */
function pathInRuntime(runtime: HaproxyRuntime, hostPath: string): string {
  if (!runtime.rootDir) return hostPath;
  const relative = path.relative(runtime.rootDir, hostPath);
  if (relative.startsWith('..')) throw new Error(`${hostPath} is outside the root filesystem ${runtime.rootDir}`);
  return `/${relative}`;
}

function haproxyCommand(runtime: HaproxyRuntime, args: string[]): [string, string[]] {
  // pdeathsig: a gateway dies with whoever started it, even when that process is killed -9.
  const command = runtime.rootDir ? ['chroot', runtime.rootDir, runtime.binary, ...args] : [runtime.binary, ...args];
  return ['setpriv', ['--pdeathsig', 'KILL', ...command]];
}

/**
 * `-f` for haproxy.cfg, and for the Basic userlist when the folder holds one. The local manager
 * writes that file for every gateway (a comment only when Basic is off), so the list of files —
 * which a reload cannot change — stays the same for the life of the process.
 */
function configFileArgs(runtime: HaproxyRuntime, directory: string): string[] {
  const names = [HAPROXY_CONFIG_FILE, ...(existsSync(path.join(directory, BASIC_USERS_CONFIG_FILE)) ? [BASIC_USERS_CONFIG_FILE] : [])];
  return names.flatMap((name) => ['-f', pathInRuntime(runtime, path.join(directory, name))]);
}

/** `haproxy -c`: the files of `directory` are a config this haproxy accepts. Throws with its message. */
export async function checkHaproxyConfig(directory: string, runtime: HaproxyRuntime = HOST_HAPROXY, env: Record<string, string> = {}): Promise<void> {
  const [command, args] = haproxyCommand(runtime, ['-c', ...configFileArgs(runtime, directory)]);
  try {
    await run(command, args, { env: { ...gatewayBaseEnv(), [GATEWAY_ENV.bind]: '127.0.0.1:1', ...env }, timeout: 20_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const alerts = `${stdout ?? ''}${stderr ?? ''}`
      .split('\n')
      .filter((line) => /ALERT|error/i.test(line))
      .slice(0, 5)
      .join('\n');
    throw new Error(`haproxy refused the gateway config: ${alerts || (error as Error).message}`);
  }
}

export class GatewayProcess {
  private child: ChildProcess | undefined;
  private current: GatewayProcessStatus = { state: 'stopped', restarts: 0 };
  private consecutiveCrashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private stopping = false;
  private readyAtMs = 0;
  private readonly options: Required<Omit<GatewayProcessOptions, 'accessLogFd' | 'onStatusChange' | 'secretFile' | 'externalIntrospectionDir'>> &
    Pick<GatewayProcessOptions, 'accessLogFd' | 'onStatusChange' | 'secretFile' | 'externalIntrospectionDir'>;

  constructor(options: GatewayProcessOptions) {
    this.options = {
      runtime: HOST_HAPROXY,
      host: '127.0.0.1',
      readyTimeoutMs: 10_000,
      stopTimeoutMs: 10_000,
      initialBackoffMs: 200,
      maxBackoffMs: 30_000,
      maxConsecutiveCrashes: 8,
      ...options,
    };
  }

  status(): GatewayProcessStatus {
    return { ...this.current };
  }

  /** Base URL of the gateway while it runs, e.g. http://127.0.0.1:41234. */
  get url(): string | undefined {
    return this.current.port ? `http://${this.options.host}:${this.current.port}` : undefined;
  }

  /** Starts the process and resolves once it answers /health/ready. */
  async start(): Promise<void> {
    if (this.current.state === 'ready') return;
    const ready = this.whenReady();
    if (this.current.state === 'stopped' || this.current.state === 'failed') {
      this.stopping = false;
      this.consecutiveCrashes = 0;
      const port = this.current.port ?? (await freeLoopbackPort(this.options.host));
      this.update({ state: 'starting', restarts: 0, lastExitReason: undefined, pid: undefined, port });
      this.spawnGateway();
    }
    return ready;
  }

  /** Resolves when the process is ready; rejects if it gives up or is stopped first. */
  whenReady(): Promise<void> {
    if (this.current.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Loads the folder's files again without dropping a request: the master starts a new worker
   * on the same port and the old one finishes what it has. Call after the files were replaced.
   */
  reload(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGUSR2');
  }

  /** Graceful stop (the gateway drains in-flight requests), SIGKILL after stopTimeoutMs. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGUSR1');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
      await exited;
      clearTimeout(killTimer);
    }
    this.child = undefined;
    this.update({ state: 'stopped', pid: undefined, port: undefined });
    this.settleWaiters(new Error('the gateway was stopped before it became ready'));
  }

  private spawnGateway(): void {
    const { runtime, directory, host } = this.options;
    const port = this.current.port!;
    // -W master-worker (seamless reloads), -db stay in the foreground and log to stdout.
    const [command, args] = haproxyCommand(runtime, ['-W', '-db', ...configFileArgs(runtime, directory)]);
    const child = spawn(command, args, {
      // Only what the gateway reads: never the app's secret key, database URL or credentials.
      env: {
        ...gatewayBaseEnv(),
        [GATEWAY_ENV.bind]: `${host}:${port}`,
        [GATEWAY_ENV.secretFile]: this.options.secretFile ? pathInRuntime(runtime, this.options.secretFile) : '/nonexistent',
        ...(this.options.externalIntrospectionDir ? { [GATEWAY_ENV.externalIntrospectionDir]: pathInRuntime(runtime, this.options.externalIntrospectionDir) } : {}),
      },
      stdio: ['ignore', this.options.accessLogFd ?? 'ignore', 'pipe'],
    });
    this.child = child;
    this.update({ pid: child.pid });
    let stderrTail = '';
    let notReadyInTime = false;
    let readyTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      notReadyInTime = true;
      child.kill('SIGKILL');
    }, this.options.readyTimeoutMs);

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4_000);
    });
    void this.pollReadiness(child).then((ready) => {
      if (!ready || this.child !== child) return;
      clearTimeout(readyTimer);
      readyTimer = undefined;
      this.readyAtMs = Date.now();
      this.update({ state: 'ready' });
      this.settleWaiters();
    });

    child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      if (this.child !== child || this.stopping) return;
      this.child = undefined;
      const reason = exitReason(notReadyInTime ? `not ready within ${this.options.readyTimeoutMs} ms` : undefined, code, signal, stderrTail);
      if (Date.now() - this.readyAtMs > STABLE_AFTER_MS && this.current.state === 'ready') this.consecutiveCrashes = 0;
      this.consecutiveCrashes++;
      if (this.consecutiveCrashes > this.options.maxConsecutiveCrashes) {
        this.update({ state: 'failed', lastExitReason: reason, pid: undefined });
        this.settleWaiters(new Error(`the gateway keeps failing: ${reason}`));
        return;
      }
      const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (this.consecutiveCrashes - 1));
      this.update({ state: 'restarting', restarts: this.current.restarts + 1, lastExitReason: reason, pid: undefined });
      this.restartTimer = setTimeout(() => this.spawnGateway(), delay);
    });
  }

  private async pollReadiness(child: ChildProcess): Promise<boolean> {
    while (this.child === child && child.exitCode === null) {
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.ok) return true;
      } catch {
        // Not accepting yet: try again shortly.
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  private update(change: Partial<GatewayProcessStatus>): void {
    this.current = { ...this.current, ...change };
    this.options.onStatusChange?.(this.status());
  }

  private settleWaiters(error?: Error): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}

function exitReason(cause: string | undefined, code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  const what = cause ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
  // haproxy says why it stopped in its last ALERT line.
  const alert = stderrTail
    .trim()
    .split('\n')
    .reverse()
    .find((line) => /ALERT/.test(line));
  return alert ? `${what}: ${alert.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, '').slice(0, 500)}` : what;
}

/** The few variables of the app's environment a gateway process needs (locale and time zone for its logs). */
function gatewayBaseEnv(): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(['PATH', 'TZ', 'LANG', 'LC_ALL'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  return { ...kept, NODE_ENV: 'production' };
}
