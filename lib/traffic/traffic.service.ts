import { TrafficWorker } from './traffic-worker';
import { trafficSettingsFromEnv, type TrafficSettings } from './traffic-settings';

const globalForTraffic = globalThis as unknown as { privatejetTrafficWorker?: TrafficWorker };

/** Starts this process's scraper (start-up); with several replicas each claims its share of the gateways. */
export function startTrafficCollection(settings: TrafficSettings = trafficSettingsFromEnv()): void {
  if (globalForTraffic.privatejetTrafficWorker) return;
  globalForTraffic.privatejetTrafficWorker = new TrafficWorker(settings);
  globalForTraffic.privatejetTrafficWorker.start();
}
