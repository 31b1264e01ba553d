import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// Supervises one dedicated gateway process (the `local` container manager runs one per
// published API): start, readiness, restart with exponential back-off, graceful stop.

export type GatewayProcessState = 'starting' | 'ready' | 'restarting' | 'stopped' | 'failed';

export interface GatewayProcessStatus {
  state: GatewayProcessState;
  /** Restarts after unexpected exits since start(). */
  restarts: number;
  lastExitReason?: string;
  port?: number;
  pid?: number;
}

export interface GatewayProcessOptions {
  configPath: string;
  /** Default: gateway/dist/gateway.mjs under the current working directory. */
  bundlePath?: string;
  host?: string;
  /** A process that is not ready within this time is killed and counts as a crash. */
  readyTimeoutMs?: number;
  /** SIGTERM first; SIGKILL if still running after this. */
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

export class GatewayProcess {
  private child: ChildProcess | undefined;
  private current: GatewayProcessStatus = { state: 'stopped', restarts: 0 };
  private consecutiveCrashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private stopping = false;
  private readyAtMs = 0;
  private readonly options: Required<Omit<GatewayProcessOptions, 'accessLogFd' | 'onStatusChange'>> &
    Pick<GatewayProcessOptions, 'accessLogFd' | 'onStatusChange'>;

  constructor(options: GatewayProcessOptions) {
    this.options = {
      bundlePath: path.resolve('gateway', 'dist', 'gateway.mjs'),
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
  start(): Promise<void> {
    if (this.current.state === 'ready') return Promise.resolve();
    const ready = this.whenReady();
    if (this.current.state === 'stopped' || this.current.state === 'failed') {
      this.stopping = false;
      this.consecutiveCrashes = 0;
      this.update({ state: 'starting', restarts: 0, lastExitReason: undefined, pid: undefined });
      this.spawnGateway();
    }
    return ready;
  }

  /** Resolves when the process is ready; rejects if it gives up or is stopped first. */
  whenReady(): Promise<void> {
    if (this.current.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** SIGTERM (the gateway drains in-flight requests), SIGKILL after stopTimeoutMs. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
      await exited;
      clearTimeout(killTimer);
    }
    this.child = undefined;
    this.update({ state: 'stopped', pid: undefined, port: undefined });
    this.settleWaiters(new Error('the gateway was stopped before it became ready'));
  }

  private spawnGateway(): void {
    // Re-use the previous port so routes to this gateway stay valid; 0 picks a free one.
    const port = this.current.port ?? 0;
    const child = spawn(process.execPath, [this.options.bundlePath], {
      // Only what the gateway reads: never the app's secret key, database URL or credentials.
      env: { ...gatewayBaseEnv(), NODE_ENV: 'production', GATEWAY_CONFIG: this.options.configPath, HOST: this.options.host, PORT: String(port), WORKERS: '1' },
      stdio: ['ignore', this.options.accessLogFd ?? 'ignore', 'pipe'],
    });
    this.child = child;
    this.update({ pid: child.pid });
    let stderrTail = '';
    let sawListening = false;
    let notReadyInTime = false;
    let readyTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      notReadyInTime = true;
      child.kill('SIGKILL');
    }, this.options.readyTimeoutMs);

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4_000);
      const listening = sawListening ? null : /"event":"listening"[^\n]*"port":(\d+)/.exec(stderrTail);
      if (listening && this.child === child) {
        sawListening = true;
        this.update({ port: Number(listening[1]) });
        void this.pollReadiness(child).then((ready) => {
          if (!ready || this.child !== child) return;
          clearTimeout(readyTimer);
          readyTimer = undefined;
          this.readyAtMs = Date.now();
          this.update({ state: 'ready' });
          this.settleWaiters();
        });
      }
    });

    child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      if (this.child !== child || this.stopping) return;
      this.child = undefined;
      const reason = exitReason(notReadyInTime ? `not ready within ${this.options.readyTimeoutMs} ms` : undefined, code, signal, stderrTail);
      if (Date.now() - this.readyAtMs > STABLE_AFTER_MS && this.current.state === 'ready') this.consecutiveCrashes = 0;
      this.consecutiveCrashes++;
      // A port that could not be bound again is given up for a fresh one.
      const port = /EADDRINUSE/.test(reason) ? undefined : this.current.port;
      if (this.consecutiveCrashes > this.options.maxConsecutiveCrashes) {
        this.update({ state: 'failed', lastExitReason: reason, pid: undefined, port: undefined });
        this.settleWaiters(new Error(`the gateway keeps failing: ${reason}`));
        return;
      }
      const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (this.consecutiveCrashes - 1));
      this.update({ state: 'restarting', restarts: this.current.restarts + 1, lastExitReason: reason, pid: undefined, port });
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
      await new Promise((resolve) => setTimeout(resolve, 50));
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
  // The gateway logs JSON events on stderr; the last one usually says why it stopped.
  const events = stderrTail.trim().split('\n').reverse();
  const lastEvent =
    events.find((line) => /"event":"(startup_failed|config_rejected)"/.test(line)) ?? events.find((line) => /"(reason|errors)"/.test(line));
  return lastEvent ? `${what}: ${lastEvent.slice(0, 500)}` : what;
}

/** The few variables of the app's environment a gateway process needs (locale and time zone for its logs). */
function gatewayBaseEnv(): Record<string, string> {
  return Object.fromEntries(['PATH', 'TZ', 'LANG', 'LC_ALL'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
}
