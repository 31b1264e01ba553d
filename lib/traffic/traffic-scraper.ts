import { performance } from 'node:perf_hooks';
import { deployedGatewayOf } from '../deployments/deployments.service';
import type { GatewayCounterSnapshot } from '../db/schema';
import { parseTrafficExposition, trafficIncrement, TRAFFIC_METRICS_PATH } from './gateway-counters';
import { recordScrapeFailure, type ClaimedScrape } from './traffic-jobs';
import { recordScrapeSuccess } from './traffic-store';
import type { TrafficSettings } from './traffic-settings';

/**
 * One scrape of one gateway (an API in a cluster): read every process's counters through its
 * manager, take the increment against the counters of the last scrape, store both. Bounded by
 * the timeout (the manager's calls carry it; this races it too) and the byte cap. A failure is
 * recorded with its reason and changes no figure: the next success counts what it missed.
 */

export type ScrapeResult = { ok: true; requests: number; bytes: number; durationMs: number } | { ok: false; reason: string; durationMs: number } | { ok: 'lost' };

export async function scrapeGateway(scrape: ClaimedScrape, owner: string, settings: Pick<TrafficSettings, 'scrapeTimeoutMs' | 'maxBytes'>): Promise<ScrapeResult> {
  const started = performance.now();
  let current: Record<string, GatewayCounterSnapshot>;
  let bytes = 0;
  try {
    const gateway = await deployedGatewayOf(scrape.apiId, scrape.clusterName);
    if (!gateway) throw new Error(`cluster "${scrape.clusterName}" is no longer configured for this API's tenant`);
    const { manager, identity, cluster } = gateway;
    if (!manager.readGatewayCounters) throw new Error(`the ${manager.name} manager runs no PrivateJet gateway, so it has no traffic counters to read`);
    const limits = { timeoutMs: settings.scrapeTimeoutMs, maxBytes: settings.maxBytes };
    const reads = await withDeadline(manager.readGatewayCounters(identity, cluster.definition, TRAFFIC_METRICS_PATH, limits), settings.scrapeTimeoutMs);
    current = {};
    for (const [process, text] of Object.entries(reads.answered)) {
      bytes += Buffer.byteLength(text);
      current[process] = parseTrafficExposition(text);
    }
    const increment = trafficIncrement(scrape.counters, current);
    // A process that exists but did not answer (not ready yet, shutting down) keeps its last counters.
    const kept = { ...Object.fromEntries(Object.entries(scrape.counters).filter(([process]) => reads.present.includes(process))), ...current };
    const durationMs = performance.now() - started;
    const written = await recordScrapeSuccess(scrape, owner, { counters: kept, increment, durationMs, bytes });
    return written ? { ok: true, requests: increment.requests, bytes, durationMs } : { ok: 'lost' };
  } catch (error) {
    const durationMs = performance.now() - started;
    const reason = error instanceof Error ? error.message : String(error);
    return (await recordScrapeFailure(scrape, owner, reason, durationMs)) ? { ok: false, reason, durationMs } : { ok: 'lost' };
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the gateway did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
