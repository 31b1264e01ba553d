import { describe, expect, it } from 'vitest';
import { latencyPercentileMs } from './latency-percentiles';

describe('latencyPercentileMs', () => {
  it('interpolates inside the bucket holding the rank', () => {
    // 100 requests: 50 in (0,5] ms, 40 in (5,10], 10 in (10,25].
    const buckets = [50, 40, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(latencyPercentileMs(buckets, 0.5)).toBe(5);
    expect(latencyPercentileMs(buckets, 0.95)).toBeCloseTo(17.5);
    expect(latencyPercentileMs(buckets, 0.99)).toBeCloseTo(23.5);
  });

  it('has no answer without requests, and answers the lower bound in the open bucket', () => {
    expect(latencyPercentileMs(new Array(12).fill(0), 0.5)).toBeNull();
    expect(latencyPercentileMs([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0.5)).toBe(10_000);
  });
});
