import { newWorkerId } from '../deployments/deployment-worker';
import { claimDueScrapes, releaseScrapeLeases, syncScrapeTargets } from './traffic-jobs';
import { scrapeGateway, type ScrapeResult } from './traffic-scraper';
import { removeExpiredTraffic } from './traffic-store';
import type { TrafficSettings } from './traffic-settings';

/**
 * One per process: every tick it brings the scrape queue in line with the deployments, claims the
 * gateways that are due (up to its concurrency), scrapes them in parallel and lets go. Expired
 * minutes and hours are removed once an hour. Its timers never keep a process alive on their own,
 * and nothing a page does waits for it.
 */

const LOG_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 60 * 60_000;

export class TrafficWorker {
  readonly id = newWorkerId();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastLoggedAt = 0;
  private lastRetentionAt = 0;

  constructor(
    private readonly settings: TrafficSettings,
    private readonly onScrape?: (result: ScrapeResult) => void,
  ) {}

  start(): void {
    if (this.settings.concurrency === 0) return;
    this.schedule(0);
  }

  /** Runs one round now (tests, and a tick); resolves when its scrapes are written. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await releaseScrapeLeases(this.id).catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule(this.pollMs())), ms);
    this.timer.unref();
  }

  /** A few looks per interval, so a gateway is read soon after it falls due. */
  private pollMs(): number {
    return Math.max(100, Math.floor(this.settings.scrapeEveryMs / 4));
  }

  private async round(): Promise<void> {
    try {
      await syncScrapeTargets();
      // A scrape ends by its timeout; the lease outlives it, so nobody else starts on it meanwhile.
      const leaseMs = this.settings.scrapeTimeoutMs * 2 + 5_000;
      const claimed = await claimDueScrapes(this.id, this.settings.concurrency, leaseMs, this.settings.scrapeEveryMs);
      const results = await Promise.all(claimed.map((scrape) => scrapeGateway(scrape, this.id, this.settings)));
      for (const result of results) this.onScrape?.(result);
      if (Date.now() - this.lastRetentionAt > RETENTION_EVERY_MS) {
        this.lastRetentionAt = Date.now();
        await removeExpiredTraffic(this.settings);
      }
    } catch (error) {
      this.logThrottled(error);
    }
  }

  private logThrottled(error: unknown): void {
    if (Date.now() - this.lastLoggedAt < LOG_EVERY_MS) return;
    this.lastLoggedAt = Date.now();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.warn(`PrivateJet: collecting traffic failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
