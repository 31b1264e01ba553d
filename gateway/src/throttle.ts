// Token bucket per application, per gateway replica (and per worker process: the limit is
// split evenly between workers so a replica as a whole keeps its tier's rate).

export interface ThrottleDecision {
  allowed: boolean;
  /** Requests per minute of the tier; undefined when unlimited. */
  limit?: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request would be accepted (only when refused). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
  capacity: number;
  refillPerMs: number;
}

const UNLIMITED: ThrottleDecision = Object.freeze({ allowed: true, remaining: Infinity, resetSeconds: 0, retryAfterSeconds: 0 });

export class TokenBucketThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    private readonly shareOfLimit = 1,
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 100_000,
  ) {}

  /** Takes one token for `applicationKey` under a tier of `requestsPerMinute` (or 'unlimited'). */
  take(applicationKey: string, requestsPerMinute: number | 'unlimited'): ThrottleDecision {
    if (requestsPerMinute === 'unlimited') return UNLIMITED;
    const nowMs = this.now();
    const capacity = Math.max(1, requestsPerMinute * this.shareOfLimit);
    const refillPerMs = capacity / 60_000;
    if (nowMs - this.lastSweepMs > 60_000) this.sweep(nowMs, false);
    let bucket = this.buckets.get(applicationKey);
    if (bucket === undefined || bucket.capacity !== capacity) {
      if (bucket === undefined && this.buckets.size >= this.maxBuckets) this.sweep(nowMs, true);
      bucket = { tokens: capacity, updatedAtMs: nowMs, capacity, refillPerMs };
      this.buckets.set(applicationKey, bucket);
    } else {
      bucket.tokens = Math.min(capacity, bucket.tokens + (nowMs - bucket.updatedAtMs) * refillPerMs);
      bucket.updatedAtMs = nowMs;
    }

    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      limit: requestsPerMinute,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((capacity - bucket.tokens) / refillPerMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
    };
  }

  /** Drops buckets that have refilled completely: they carry no state worth keeping. */
  private sweep(nowMs: number, evenIfRecent: boolean): void {
    this.lastSweepMs = nowMs;
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + (nowMs - bucket.updatedAtMs) * bucket.refillPerMs >= bucket.capacity;
      if (refilled) this.buckets.delete(key);
    }
    if (evenIfRecent && this.buckets.size >= this.maxBuckets) {
      const oldestKey = this.buckets.keys().next().value;
      if (oldestKey !== undefined) this.buckets.delete(oldestKey);
    }
  }
}
