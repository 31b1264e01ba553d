import { describe, expect, it } from 'vitest';
import type { GatewayCounterSnapshot } from '../db/schema';
import { parseTrafficExposition, trafficIncrement } from './gateway-counters';

const APP = '0b8f3c1e-1111-4222-8333-444455556666';

function exposition({ start = '1796440213.000001', requests = 10, ok = 7, unauthorized = 2, throttled = 1, app = 3 } = {}): string {
  return [
    '# TYPE privatejet_gateway_start_time_seconds gauge',
    `privatejet_gateway_start_time_seconds ${start}`,
    `privatejet_requests_total ${requests}`,
    `privatejet_responses_total{code="200"} ${ok}`,
    `privatejet_responses_total{code="401"} ${unauthorized}`,
    `privatejet_responses_total{code="429"} ${throttled}`,
    ...[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map((le, i) => `privatejet_response_time_seconds_bucket{le="${le}"} ${i < 2 ? requests - 1 : requests}`),
    `privatejet_response_time_seconds_bucket{le="+Inf"} ${requests}`,
    'privatejet_response_time_seconds_sum 0.120000',
    `privatejet_response_time_seconds_count ${requests}`,
    `privatejet_application_requests_total{application="${APP}"} ${app}`,
    `privatejet_application_requests_total{application="_other"} 4`,
    `privatejet_application_errors_total{application="${APP}"} 1`,
    `privatejet_application_throttled_total{application="${APP}"} 1`,
    '',
  ].join('\n');
}

describe('parseTrafficExposition', () => {
  it("reads the gateway's counters: statuses, the histogram per bucket, applications by id only", () => {
    const counters = parseTrafficExposition(exposition());
    expect(counters.startTime).toBe(1796440213.000001);
    expect(counters.requests).toBe(10);
    expect(counters.statuses).toEqual({ '200': 7, '401': 2, '429': 1 });
    expect(counters.latencyBuckets).toEqual([9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(counters.latencySumMs).toBeCloseTo(120);
    expect(counters.applications).toEqual({ [APP]: { requests: 3, errors: 1, throttled: 1 } });
  });

  it('refuses what is not the gateway’s exposition, naming the line', () => {
    expect(() => parseTrafficExposition('<html>proxy error</html>')).toThrow(/line 1 .*not a sample/);
    expect(() => parseTrafficExposition('privatejet_requests_total 3\n')).toThrow(/no start time/);
    expect(() => parseTrafficExposition('privatejet_gateway_start_time_seconds 1\nprivatejet_requests_total -3\n')).toThrow(/line 2/);
  });
});

describe('trafficIncrement', () => {
  const at = (options: Parameters<typeof exposition>[0]): GatewayCounterSnapshot => parseTrafficExposition(exposition(options));

  it('is the difference between two reads of a process', () => {
    const increment = trafficIncrement({ pod: at({ requests: 10, ok: 7, app: 3 }) }, { pod: at({ requests: 15, ok: 12, app: 5 }) });
    expect(increment).toMatchObject({ requests: 5, status2xx: 5, status4xx: 0, status401: 0, throttled: 0 });
    expect(increment.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(5);
    expect(increment.applications).toEqual({ [APP]: { requests: 2, errors: 0, throttled: 0 } });
  });

  it('counts a restarted process from zero: never negative, never the old figures again', () => {
    const before = { pod: at({ requests: 100, ok: 97, app: 50 }) };
    // Restarted and already past its old count: only the start time tells.
    const restartedHigher = trafficIncrement(before, { pod: at({ start: '1796440999.5', requests: 120, ok: 117, app: 60 }) });
    expect(restartedHigher).toMatchObject({ requests: 120, status2xx: 117, status401: 2, throttled: 1 });
    // Same start time but lower (a lost state): a reset as well.
    const lower = trafficIncrement(before, { pod: at({ requests: 4, ok: 1, app: 2 }) });
    expect(lower).toMatchObject({ requests: 4, status2xx: 1 });
    expect(lower.applications[APP]).toEqual({ requests: 2, errors: 1, throttled: 1 });
    for (const increment of [restartedHigher, lower]) {
      for (const value of Object.values(increment).flatMap((v) => (typeof v === 'number' ? [v] : Array.isArray(v) ? v : []))) expect(value).toBeGreaterThanOrEqual(0);
    }
  });

  it('sums the processes (replicas), counts a new one from its start and nothing for one that is gone', () => {
    const increment = trafficIncrement({ a: at({ requests: 10 }), gone: at({ requests: 50 }) }, { a: at({ requests: 12, ok: 9 }), fresh: at({ requests: 3, ok: 0, unauthorized: 2 }) });
    expect(increment.requests).toBe(2 + 3);
    expect(increment.status401).toBe(0 + 2);
  });
});
