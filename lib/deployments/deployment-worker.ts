import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { claimDuePairs, releaseClaim, releaseLeasesHeldBy, renewLeases, type ClaimedPair } from './deployment-jobs';
import type { EngineSettings } from './engine-settings';

/**
 * One per process: claims due deployment records (lib/deployments/deployment-jobs.ts), runs
 * their jobs, renews the leases while they run and lets go when they end. Woken at once by
 * requests made in this process; looks for work from other replicas (or left behind by a dead
 * one) every poll interval. Its timers never keep a process alive on their own. A process that is
 * told to stop hands its work over (handOver) rather than leaving it to wait out its leases.
 */

/** What a job sees of its claim: who holds it, and whether it was lost (stop, write nothing more). */
export interface Lease {
  readonly owner: string;
  readonly lost: boolean;
}

export type PairJob = (pair: ClaimedPair, lease: Lease) => Promise<void>;

/** Host name (the pod's name in a cluster) and PID: a lease says which replica holds it. */
export function newWorkerId(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

const LOG_EVERY_MS = 60_000;

export class DeploymentWorker {
  readonly id = newWorkerId();
  /** The jobs running in this process, by record id: each one's lease, and its end for a hand-over to wait on. */
  private readonly jobs = new Map<string, { lease: { owner: string; lost: boolean }; ended: Promise<void> }>();
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly renewTimer: NodeJS.Timeout;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;
  private stopped = false;
  private lastLoggedAt = 0;

  constructor(
    private readonly job: PairJob,
    private readonly settings: EngineSettings,
  ) {
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(settings.leaseMs / 3)));
    this.renewTimer.unref();
    this.wake();
  }

  /** Claims due work now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.tick(), 0);
    this.pollTimer.unref();
  }

  /**
   * Stops claiming and lets go of every record this process holds, so another replica takes each
   * one over at its next look instead of after the lease runs out (a rolling update, a scale-down).
   * Running jobs are told their lease is lost, so they write nothing more, and get up to `graceMs`
   * to return from the cluster call they are in — an apply or a removal still on its way when
   * the record is taken over could land after a newer request's, from the replica that took it.
   * Meanwhile the leases are still renewed. Returns how many records were let go at the end.
   */
  async handOver(graceMs = 5_000): Promise<number> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    // A claim being made now must be in the table before the leases are let go, or it would stay held.
    await this.ticking;
    for (const { lease } of this.jobs.values()) lease.lost = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.jobs.values()].map((job) => job.ended)), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    clearInterval(this.renewTimer);
    return releaseLeasesHeldBy(this.id);
  }

  private tick(): Promise<void> {
    this.ticking = this.claim().finally(() => {
      this.ticking = undefined;
      if (this.stopped) return;
      if (this.tickAgain) {
        this.tickAgain = false;
        this.wake();
      } else {
        this.pollTimer = setTimeout(() => void this.tick(), this.settings.pollMs);
        this.pollTimer.unref();
      }
    });
    return this.ticking;
  }

  private async claim(): Promise<void> {
    try {
      const claimed = await claimDuePairs(this.id, this.settings.concurrency - this.jobs.size, this.settings.leaseMs);
      // Claimed while handing over: not started, and let go with the rest.
      if (this.stopped) return;
      for (const pair of claimed) this.start(pair);
    } catch (error) {
      this.logThrottled('claiming deployment work failed', error);
    }
  }

  private start(pair: ClaimedPair): void {
    const lease = { owner: this.id, lost: false };
    const ended = this.job(pair, lease)
      .catch((error: unknown) => console.error(`deployment job ${pair.apiId}/${pair.clusterName} crashed:`, error))
      // A job that ended without letting go (it crashed, or was superseded) lets go here.
      .then(() => releaseClaim(pair.id, this.id))
      .catch((error: unknown) => this.logThrottled(`releasing ${pair.apiId}/${pair.clusterName} failed (its lease runs out instead)`, error))
      .finally(() => {
        this.jobs.delete(pair.id);
        this.wake();
      });
    this.jobs.set(pair.id, { lease, ended });
  }

  private async renew(): Promise<void> {
    if (this.jobs.size === 0) return;
    // Only claims made before this renewal can be judged by it.
    const before = [...this.jobs.entries()];
    try {
      const held = await renewLeases(this.id, this.settings.leaseMs);
      for (const [id, { lease }] of before) if (!held.has(id)) lease.lost = true;
    } catch (error) {
      this.logThrottled('renewing deployment leases failed', error);
    }
  }

  private logThrottled(what: string, error: unknown): void {
    if (Date.now() - this.lastLoggedAt < LOG_EVERY_MS) return;
    this.lastLoggedAt = Date.now();
    // The driver's own reason (connection refused, database gone), not the failed query's whole text.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.warn(`PrivateJet: ${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
