import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGatewayConfigText } from './config';
import { compileRuntime, type GatewayRuntime, type RuntimeDependencies } from './gateway-runtime';

// A mounted ConfigMap changes by Kubernetes swapping the "..data" symlink in the directory,
// which a watch on the file itself would miss; so the directory is watched and the file re-read.
const RELOAD_DEBOUNCE_MS = 100;

/** Holds the current compiled config and replaces it when the file changes to a valid config. */
export class ConfigStore {
  private current: GatewayRuntime | undefined;
  private lastText: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly configPath: string,
    private readonly dependencies: RuntimeDependencies,
  ) {}

  /** The runtime requests use; swapped atomically, so in-flight requests keep the one they started with. */
  get runtime(): GatewayRuntime | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    await this.reload();
    try {
      this.watcher = watch(path.dirname(this.configPath), { persistent: false }, () => this.scheduleReload());
      this.watcher.on('error', (error) => this.dependencies.logEvent('config_watch_failed', { reason: error.message }));
    } catch (error) {
      this.dependencies.logEvent('config_watch_failed', { reason: (error as Error).message });
    }
  }

  stop(): void {
    clearTimeout(this.debounceTimer);
    this.watcher?.close();
  }

  private scheduleReload(): void {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.reloading = this.reloading.then(() => this.reload());
    }, RELOAD_DEBOUNCE_MS);
  }

  /** Re-reads the file; a missing, unreadable or invalid file keeps the config in force. */
  async reload(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.configPath, 'utf8');
    } catch (error) {
      this.dependencies.logEvent('config_rejected', {
        path: this.configPath,
        errors: [`cannot read the file: ${(error as Error).message}`],
        keeping: this.describeCurrent(),
      });
      return;
    }
    if (text === this.lastText) return;
    this.lastText = text;
    const parsed = parseGatewayConfigText(text);
    if (!parsed.ok) {
      this.dependencies.logEvent('config_rejected', { path: this.configPath, errors: parsed.errors, keeping: this.describeCurrent() });
      return;
    }
    try {
      this.current = compileRuntime(parsed.config, this.dependencies);
    } catch (error) {
      this.dependencies.logEvent('config_rejected', {
        path: this.configPath,
        errors: [(error as Error).message],
        keeping: this.describeCurrent(),
      });
      return;
    }
    const { api } = parsed.config;
    this.dependencies.logEvent('config_loaded', { path: this.configPath, api: api.id, basePath: this.current.basePath });
  }

  private describeCurrent(): string {
    return this.current ? `the config of ${this.current.basePath} loaded earlier` : 'no config (not ready)';
  }
}
