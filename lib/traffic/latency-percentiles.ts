import { TRAFFIC_LATENCY_BOUNDS_MS } from '../db/schema';

/**
 * A percentile of response time from the gateways' histogram (counts per bucket, the bounds in
 * TRAFFIC_LATENCY_BOUNDS_MS then one open bucket), interpolated linearly inside its bucket as
 * Prometheus' histogram_quantile does. Null without requests; the open bucket answers its lower
 * bound (the answer is then "above 10 s").
 */
export function latencyPercentileMs(buckets: readonly number[], quantile: number): number | null {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i]!;
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : TRAFFIC_LATENCY_BOUNDS_MS[i - 1]!;
      const upper = TRAFFIC_LATENCY_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return TRAFFIC_LATENCY_BOUNDS_MS.at(-1)!;
}

export function addBuckets(into: number[], from: readonly number[]): void {
  from.forEach((count, i) => (into[i] = (into[i] ?? 0) + count));
}
