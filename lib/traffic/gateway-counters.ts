import { TRAFFIC_LATENCY_BOUNDS_MS, type GatewayCounterSnapshot } from '../db/schema';

/**
 * The counters one gateway process serves at /metrics/traffic (privatejet.lua), read from the
 * Prometheus text format, and the increments between two reads of them. Pure: the scraper
 * (traffic-scraper.ts) fetches, this decides what happened in between.
 */

/** The path of the counters on every gateway (beside HAProxy's own /metrics). */
export const TRAFFIC_METRICS_PATH = '/metrics/traffic';

const SAMPLE = /^([a-z_]+)(?:\{([a-z_]+)="([^"]*)"\})? (\S+)$/;
const APPLICATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the exposition; anything that is not the gateway's own shape is an error naming the line. */
export function parseTrafficExposition(text: string): GatewayCounterSnapshot {
  const counters: GatewayCounterSnapshot = {
    startTime: Number.NaN,
    requests: 0,
    statuses: {},
    latencyBuckets: new Array<number>(TRAFFIC_LATENCY_BOUNDS_MS.length + 1).fill(0),
    latencySumMs: 0,
    applications: {},
  };
  const cumulative: number[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    const value = match ? Number(match[4]) : Number.NaN;
    if (!match || !Number.isFinite(value) || value < 0) throw new Error(`line ${index + 1} of the gateway's traffic counters is not a sample: ${line.slice(0, 120)}`);
    const [, name, label, labelValue] = match;
    switch (name) {
      case 'privatejet_gateway_start_time_seconds':
        counters.startTime = value;
        break;
      case 'privatejet_requests_total':
        counters.requests = value;
        break;
      case 'privatejet_responses_total':
        if (label === 'code' && labelValue) counters.statuses[labelValue] = value;
        break;
      case 'privatejet_response_time_seconds_bucket':
        if (label === 'le') cumulative.push(value);
        break;
      case 'privatejet_response_time_seconds_sum':
        counters.latencySumMs = value * 1000;
        break;
      case 'privatejet_application_requests_total':
      case 'privatejet_application_errors_total':
      case 'privatejet_application_throttled_total': {
        if (label !== 'application' || !labelValue || !APPLICATION_ID.test(labelValue)) break;
        const row = (counters.applications[labelValue.toLowerCase()] ??= { requests: 0, errors: 0, throttled: 0 });
        row[name.slice('privatejet_application_'.length, -'_total'.length) as 'requests' | 'errors' | 'throttled'] = value;
        break;
      }
      default:
        break;
    }
  }
  if (!Number.isFinite(counters.startTime)) throw new Error("the gateway's traffic counters have no start time: is the gateway older than this version of PrivateJet?");
  if (cumulative.length !== counters.latencyBuckets.length) throw new Error(`the gateway's latency histogram has ${cumulative.length} buckets, not ${counters.latencyBuckets.length}`);
  cumulative.forEach((count, i) => (counters.latencyBuckets[i] = count - (i > 0 ? cumulative[i - 1]! : 0)));
  return counters;
}

/** How many requests were answered, by outcome: the counts every traffic figure is made of. */
export interface ResponseCounts {
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  status401: number;
  status403: number;
  throttled: number;
}

/** What the gateways of one API in one cluster answered between two scrapes. */
export interface TrafficIncrement extends ResponseCounts {
  latencyBuckets: number[];
  latencySumMs: number;
  applications: Record<string, { requests: number; errors: number; throttled: number }>;
}

export function emptyIncrement(): TrafficIncrement {
  return {
    requests: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    status401: 0,
    status403: 0,
    throttled: 0,
    latencyBuckets: new Array<number>(TRAFFIC_LATENCY_BOUNDS_MS.length + 1).fill(0),
    latencySumMs: 0,
    applications: {},
  };
}

/**
 * The counters of a process that restarted since the last read began again at zero: another
 * start time, or any counter lower than before, means everything it shows now is new. A process
 * never read before (a new pod, a gateway just deployed) likewise counts from its start.
 */
function restarted(before: GatewayCounterSnapshot | undefined, now: GatewayCounterSnapshot): boolean {
  if (!before || before.startTime !== now.startTime || now.requests < before.requests) return true;
  if (Object.entries(before.statuses).some(([code, count]) => (now.statuses[code] ?? 0) < count)) return true;
  return before.latencyBuckets.some((count, i) => (now.latencyBuckets[i] ?? 0) < count);
}

const minus = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));

/**
 * The increment since `previous` (by process), summed over the processes read now. Never
 * negative: a restarted process contributes what it counted since it started, and a process
 * that is gone contributes nothing more (what it answered after its last read is lost).
 */
export function trafficIncrement(previous: Record<string, GatewayCounterSnapshot>, current: Record<string, GatewayCounterSnapshot>): TrafficIncrement {
  const total = emptyIncrement();
  for (const [process, now] of Object.entries(current)) {
    const before = restarted(previous[process], now) ? undefined : previous[process];
    const status = (code: string) => minus(now.statuses[code] ?? 0, before?.statuses[code]);
    total.requests += minus(now.requests, before?.requests);
    for (const code of Object.keys(now.statuses)) {
      const count = status(code);
      if (/^2\d\d$/.test(code)) total.status2xx += count;
      else if (/^3\d\d$/.test(code)) total.status3xx += count;
      else if (/^4\d\d$/.test(code)) total.status4xx += count;
      else if (/^5\d\d$/.test(code)) total.status5xx += count;
    }
    total.status401 += status('401');
    total.status403 += status('403');
    total.throttled += status('429');
    now.latencyBuckets.forEach((count, i) => (total.latencyBuckets[i]! += minus(count, before?.latencyBuckets[i])));
    total.latencySumMs += minus(now.latencySumMs, before?.latencySumMs);
    for (const [application, figures] of Object.entries(now.applications)) {
      const was = before?.applications[application];
      // An application's row may have been dropped and re-added only with its process: lower is a restart.
      const row = (total.applications[application] ??= { requests: 0, errors: 0, throttled: 0 });
      row.requests += minus(figures.requests, was?.requests);
      row.errors += minus(figures.errors, was?.errors);
      row.throttled += minus(figures.throttled, was?.throttled);
    }
  }
  for (const [application, row] of Object.entries(total.applications)) if (row.requests === 0 && row.errors === 0 && row.throttled === 0) delete total.applications[application];
  return total;
}

export function isEmptyIncrement(increment: TrafficIncrement): boolean {
  return increment.requests === 0 && Object.keys(increment.applications).length === 0;
}
