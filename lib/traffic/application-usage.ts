import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { TIERS } from '../tiers';
import type { Actor } from '../actor';
import { requireOwnApplication } from '../applications/applications.service';
import { db } from '../db/drizzle';
import { applicationTrafficHours, applicationTrafficMinutes, apis, subscriptions } from '../db/schema';

/**
 * A developer's view of one application's usage, per subscribed API, against the subscription
 * tier's limit (requests per minute, enforced per gateway replica): calls today (UTC), the busiest
 * minute of the last hour, and what was throttled or failed today. Only the owner sees it.
 */

export interface ApiUsage {
  apiId: string;
  apiName: string;
  apiVersion: string;
  tier: string;
  /** Requests per minute the tier allows; null when unlimited. */
  limitPerMinute: number | null;
  callsToday: number;
  errorsToday: number;
  throttledToday: number;
  /** The busiest minute of the last hour. */
  peakMinuteCalls: number;
}

export async function applicationUsage(actor: Actor, applicationId: string, now: Date = new Date()): Promise<ApiUsage[]> {
  const application = await requireOwnApplication(actor, applicationId);
  const database = await db();
  const subscribed = await database
    .select({ apiId: subscriptions.apiId, tier: subscriptions.tier, apiName: apis.name, apiVersion: apis.version })
    .from(subscriptions)
    .innerJoin(apis, eq(apis.id, subscriptions.apiId))
    .where(and(eq(subscriptions.applicationId, application.id), eq(subscriptions.tenantId, application.tenantId)));
  if (subscribed.length === 0) return [];
  const apiIds = subscribed.map((s) => s.apiId);
  const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const hourAgo = new Date(now.getTime() - 60 * 60_000);
  const [today, peaks] = await Promise.all([
    database
      .select({
        apiId: applicationTrafficHours.apiId,
        calls: sql<number>`sum(${applicationTrafficHours.requests})::int`,
        errors: sql<number>`sum(${applicationTrafficHours.errors})::int`,
        throttled: sql<number>`sum(${applicationTrafficHours.throttled})::int`,
      })
      .from(applicationTrafficHours)
      .where(and(eq(applicationTrafficHours.applicationId, application.id), inArray(applicationTrafficHours.apiId, apiIds), gte(applicationTrafficHours.bucket, startOfDay)))
      .groupBy(applicationTrafficHours.apiId),
    database
      .select({ apiId: applicationTrafficMinutes.apiId, peak: sql<number>`max(${applicationTrafficMinutes.requests})::int` })
      .from(applicationTrafficMinutes)
      .where(and(eq(applicationTrafficMinutes.applicationId, application.id), inArray(applicationTrafficMinutes.apiId, apiIds), gte(applicationTrafficMinutes.bucket, hourAgo)))
      .groupBy(applicationTrafficMinutes.apiId),
  ]);
  return subscribed
    .map((subscription) => {
      const day = today.find((row) => row.apiId === subscription.apiId);
      const rate = TIERS[subscription.tier as keyof typeof TIERS]?.requestsPerMinute;
      return {
        apiId: subscription.apiId,
        apiName: subscription.apiName,
        apiVersion: subscription.apiVersion,
        tier: subscription.tier,
        limitPerMinute: typeof rate === 'number' ? rate : null,
        callsToday: day?.calls ?? 0,
        errorsToday: day?.errors ?? 0,
        throttledToday: day?.throttled ?? 0,
        peakMinuteCalls: peaks.find((row) => row.apiId === subscription.apiId)?.peak ?? 0,
      };
    })
    .sort((a, b) => a.apiName.localeCompare(b.apiName) || a.apiVersion.localeCompare(b.apiVersion));
}
