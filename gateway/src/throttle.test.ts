import { describe, expect, it } from 'vitest';
import { TokenBucketThrottle } from './throttle';

describe('TokenBucketThrottle', () => {
  it('allows a burst of the per-minute limit, then refills at limit/60 per second', () => {
    let now = 1_000_000;
    const throttle = new TokenBucketThrottle(1, () => now);
    for (let call = 0; call < 60; call++) expect(throttle.take('app', 60).allowed).toBe(true);
    const refused = throttle.take('app', 60);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 1000;
    expect(throttle.take('app', 60).allowed).toBe(true);
    expect(throttle.take('app', 60).allowed).toBe(false);
  });

  it('keeps applications apart and never limits an unlimited tier', () => {
    const throttle = new TokenBucketThrottle(1, () => 0);
    expect(throttle.take('a', 1).allowed).toBe(true);
    expect(throttle.take('a', 1).allowed).toBe(false);
    expect(throttle.take('b', 1).allowed).toBe(true);
    for (let call = 0; call < 1000; call++) expect(throttle.take('c', 'unlimited').allowed).toBe(true);
  });

  it('gives each worker process its share of the limit', () => {
    const throttle = new TokenBucketThrottle(0.5, () => 0);
    const allowed = Array.from({ length: 10 }, () => throttle.take('app', 10).allowed).filter(Boolean);
    expect(allowed).toHaveLength(5);
  });
});
