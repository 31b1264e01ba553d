import { numericSettingsFromEnv, type NumericVariable } from '../env';

/**
 * How traffic is collected and kept. Every replica reads the same variables; a bad value stops
 * start-up with one line naming it (as the deployment engine's settings do).
 */
export interface TrafficSettings {
  /** Each gateway is read once per interval, by one replica. At most a minute: figures are per minute. */
  scrapeEveryMs: number;
  /** A gateway (or the API server proxying to it) that does not answer within this is a failed scrape. */
  scrapeTimeoutMs: number;
  /** Gateways one replica reads at a time. 0: this replica leaves scraping to the others. */
  concurrency: number;
  /** The most a gateway's counters may weigh; more is a failed scrape, not memory spent. */
  maxBytes: number;
  minuteRetentionDays: number;
  hourRetentionDays: number;
}

export const DEFAULT_TRAFFIC_SETTINGS: TrafficSettings = {
  scrapeEveryMs: 30_000,
  scrapeTimeoutMs: 5_000,
  concurrency: 8,
  maxBytes: 1024 * 1024,
  minuteRetentionDays: 8,
  hourRetentionDays: 90,
};

const VARIABLES: Array<NumericVariable<keyof TrafficSettings>> = [
  { name: 'PRIVATEJET_TRAFFIC_SCRAPE_SECONDS', key: 'scrapeEveryMs', unit: 'seconds', min: 0.2, max: 60 },
  { name: 'PRIVATEJET_TRAFFIC_SCRAPE_TIMEOUT_SECONDS', key: 'scrapeTimeoutMs', unit: 'seconds', min: 0.1, max: 60 },
  { name: 'PRIVATEJET_TRAFFIC_SCRAPE_CONCURRENCY', key: 'concurrency', unit: 'count', min: 0, max: 256 },
  { name: 'PRIVATEJET_TRAFFIC_MINUTES_RETENTION_DAYS', key: 'minuteRetentionDays', unit: 'count', min: 1, max: 90 },
  { name: 'PRIVATEJET_TRAFFIC_HOURS_RETENTION_DAYS', key: 'hourRetentionDays', unit: 'count', min: 1, max: 3660 },
];

export function trafficSettingsFromEnv(env: Record<string, string | undefined> = process.env): TrafficSettings {
  return numericSettingsFromEnv(DEFAULT_TRAFFIC_SETTINGS, VARIABLES, env);
}
