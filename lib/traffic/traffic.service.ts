import { TrafficWorker } from './traffic-worker';
import { trafficSettingsFromEnv, type TrafficSettings } from './traffic-settings';

const globalForTraffic = globalThis as unknown as { privatejetTrafficWorker?: TrafficWorker };

/** Starts this process's scraper (start-up); with several replicas each claims its share of the gateways. */
export function startTrafficCollection(settings: TrafficSettings = trafficSettingsFromEnv()): void {
  if (globalForTraffic.privatejetTrafficWorker) return;
  globalForTraffic.privatejetTrafficWorker = new TrafficWorker(settings);
  globalForTraffic.privatejetTrafficWorker.start();
}

/** Stops this process's scraper once its round in progress is written, and lets go of its scrapes (shutdown). */
export async function stopTrafficCollection(): Promise<void> {
  await globalForTraffic.privatejetTrafficWorker?.stop();
}
