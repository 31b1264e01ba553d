import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAFFIC_SETTINGS, trafficSettingsFromEnv } from './traffic-settings';

describe('trafficSettingsFromEnv', () => {
  it('reads seconds, counts and days, and keeps the defaults for what is unset', () => {
    expect(trafficSettingsFromEnv({})).toEqual(DEFAULT_TRAFFIC_SETTINGS);
    expect(
      trafficSettingsFromEnv({
        PRIVATEJET_TRAFFIC_SCRAPE_SECONDS: '15',
        PRIVATEJET_TRAFFIC_SCRAPE_TIMEOUT_SECONDS: '2.5',
        PRIVATEJET_TRAFFIC_SCRAPE_CONCURRENCY: '0',
        PRIVATEJET_TRAFFIC_MINUTES_RETENTION_DAYS: '3',
        PRIVATEJET_TRAFFIC_HOURS_RETENTION_DAYS: '400',
      }),
    ).toMatchObject({ scrapeEveryMs: 15_000, scrapeTimeoutMs: 2_500, concurrency: 0, minuteRetentionDays: 3, hourRetentionDays: 400 });
  });

  it('refuses a value out of range with the variable and the range', () => {
    // Figures are per minute: a slower interval would leave minutes without a read.
    expect(() => trafficSettingsFromEnv({ PRIVATEJET_TRAFFIC_SCRAPE_SECONDS: '120' })).toThrow('PRIVATEJET_TRAFFIC_SCRAPE_SECONDS must be a number of seconds from 0.2 to 60, not "120"');
    expect(() => trafficSettingsFromEnv({ PRIVATEJET_TRAFFIC_SCRAPE_CONCURRENCY: '2.5' })).toThrow(/PRIVATEJET_TRAFFIC_SCRAPE_CONCURRENCY must be a whole number/);
    expect(() => trafficSettingsFromEnv({ PRIVATEJET_TRAFFIC_MINUTES_RETENTION_DAYS: 'forever' })).toThrow(/not "forever"/);
  });
});
