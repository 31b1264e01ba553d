import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole, requireSameTenant } from '../actor';
import { requireOwnApplication } from '../applications/applications.service';
import { effectiveTokenLifetime, maxTokenLifetimeSeconds, REVOCATION_BOUND_SECONDS } from '../oauth/token-lifetime';
import { recordRevokedGrants } from '../oauth/gateway-revocations';
import { describeDuration } from '../durations';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { isUuid } from '../ids';
import { isUniqueViolation } from '../db/errors';
import { apis, applicationKeys, applications, subscriptions, users, type ApiState, type SubscriptionStatus } from '../db/schema';
import { conflict, invalid, notFound } from '../errors';
import type { SubscribeInput } from './subscriptions.schema';

/**
 * Subscriptions connect a developer's application to a published API at one of its tiers.
 * Access tokens carry the application's active subscriptions, so this is what a gateway's
 * "may this caller use my API, and how often" comes down to.
 */

/**
 * How soon a block is felt: new tokens leave the subscription out at once; running gateways
 * fetch their revocation list every few seconds and then refuse tokens issued before the block
 * (lib/oauth/gateway-revocations.ts); opaque tokens are asked about again within the cache bound.
 */
export function blockTakesEffectNote(): string {
  return (
    `A block applies to new access tokens at once, and reaches every running gateway within ${REVOCATION_BOUND_SECONDS} seconds: ` +
    'tokens issued before it are refused from then on. The application needs a new token once the subscription is active again.'
  );
}

export type { SubscriptionStatus };

/** Whether new subscriptions to an API wait for a publisher: always for private APIs. */
export function subscriptionsNeedApproval(api: { visibility: 'public' | 'private'; subscriptionApproval: boolean }): boolean {
  return api.visibility === 'private' || api.subscriptionApproval;
}

/** A subscription as its application's owner sees it. */
export interface ApplicationSubscription {
  id: string;
  apiId: string;
  apiName: string;
  apiVersion: string;
  apiContext: string;
  apiState: ApiState;
  tier: string;
  status: SubscriptionStatus;
  createdAt: Date;
}

/** One of the developer's own applications subscribed to a given API. */
export interface SubscriptionToApi {
  id: string;
  applicationId: string;
  applicationName: string;
  tier: string;
  status: SubscriptionStatus;
  createdAt: Date;
}

/** A subscriber of an API as its publisher sees it. */
export interface ApiSubscriber {
  subscriptionId: string;
  applicationId: string;
  applicationName: string;
  owner: string;
  tier: string;
  status: SubscriptionStatus;
  createdAt: Date;
  /** The application's token validity: the longest a block or unblock takes to reach gateways (see blockTakesEffectNote). Null before keys exist. */
  blockTakesEffectWithinSeconds: number | null;
}

const subscriptionNotFound = () => notFound('That subscription');

const stateRefusals: Record<Exclude<ApiState, 'PUBLISHED' | 'CREATED'>, string> = {
  PRE_RELEASED: 'This API is pre-released: it takes subscriptions once it is published.',
  DEPRECATED: 'This API is deprecated: existing subscriptions keep working, but it takes no new ones.',
  BLOCKED: 'This API is blocked by its publisher and takes no subscriptions.',
  RETIRED: 'This API is retired and takes no subscriptions.',
};

/** An API of the actor's tenant, or not_found: other tenants' APIs do not exist for them. */
async function requireTenantApi(actor: Actor, apiId: string) {
  if (!isUuid(apiId)) throw notFound('That API');
  const [api] = await (await db())
    .select({
      id: apis.id,
      tenantId: apis.tenantId,
      name: apis.name,
      version: apis.version,
      state: apis.state,
      tiers: apis.tiers,
      visibility: apis.visibility,
      subscriptionApproval: apis.subscriptionApproval,
    })
    .from(apis)
    .where(eq(apis.id, apiId));
  return requireSameTenant(actor, api, 'That API');
}

async function applicationSubscriptionsWhere(condition: SQL | undefined): Promise<ApplicationSubscription[]> {
  return (await db())
    .select({
      id: subscriptions.id,
      apiId: apis.id,
      apiName: apis.name,
      apiVersion: apis.version,
      apiContext: apis.context,
      apiState: apis.state,
      tier: subscriptions.tier,
      status: subscriptions.status,
      createdAt: subscriptions.createdAt,
    })
    .from(subscriptions)
    .innerJoin(apis, eq(apis.id, subscriptions.apiId))
    .where(condition)
    .orderBy(asc(apis.name), asc(apis.version));
}

async function apiSubscribersWhere(condition: SQL | undefined): Promise<ApiSubscriber[]> {
  const rows = await (await db())
    .select({
      subscriptionId: subscriptions.id,
      applicationId: applications.id,
      applicationName: applications.name,
      owner: users.username,
      tier: subscriptions.tier,
      status: subscriptions.status,
      createdAt: subscriptions.createdAt,
      blockTakesEffectWithinSeconds: applicationKeys.tokenValiditySeconds,
    })
    .from(subscriptions)
    .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
    .innerJoin(users, eq(users.id, applications.ownerId))
    .leftJoin(applicationKeys, and(eq(applicationKeys.applicationId, applications.id), eq(applicationKeys.keyType, 'PRODUCTION')))
    .where(condition)
    // Requests waiting for the publisher come first.
    .orderBy(desc(sql`${subscriptions.status} = 'ON_HOLD'`), asc(applications.name), asc(users.username));
  return rows.map((row) => ({
    ...row,
    blockTakesEffectWithinSeconds: row.blockTakesEffectWithinSeconds === null ? null : effectiveTokenLifetime(row.blockTakesEffectWithinSeconds),
  }));
}

const alreadySubscribed: Record<SubscriptionStatus, (application: string, api: string) => string> = {
  ACTIVE: (application, api) => `${application} is already subscribed to ${api}. Unsubscribe first to change its tier.`,
  BLOCKED: (application, api) => `${application} is already subscribed to ${api}. Unsubscribe first to change its tier.`,
  ON_HOLD: (application, api) => `${application} already asked to subscribe to ${api}; the publisher has not decided yet.`,
  REJECTED: (application, api) => `The publisher rejected ${application}'s subscription to ${api}. Withdraw it to ask again.`,
};

/**
 * Subscribes the actor's application to a published API of their tenant at a tier the API
 * offers. Where the API needs approval (private APIs always do) the subscription waits ON_HOLD,
 * out of every token, until a publisher approves it. Other tenants' APIs are not found.
 */
export async function subscribe(actor: Actor, input: SubscribeInput): Promise<ApplicationSubscription> {
  const application = await requireOwnApplication(actor, input.applicationId);
  const api = await requireTenantApi(actor, input.apiId);
  // An API still being created is not in the portal yet, so it is not found rather than refused.
  if (api.state === 'CREATED') throw notFound('That API');
  if (api.state !== 'PUBLISHED') throw conflict(stateRefusals[api.state]);
  if (!api.tiers.includes(input.tier)) {
    const message = `${api.name} ${api.version} offers ${api.tiers.join(', ')}; pick one of those tiers.`;
    throw invalid(message, { tier: [message] });
  }
  let subscriptionId: string;
  try {
    subscriptionId = await (await db()).transaction(async (tx) => {
      const [created] = await tx
        .insert(subscriptions)
        .values({
          tenantId: actor.tenantId,
          applicationId: application.id,
          apiId: api.id,
          tier: input.tier,
          status: subscriptionsNeedApproval(api) ? 'ON_HOLD' : 'ACTIVE',
        })
        .returning({ id: subscriptions.id, status: subscriptions.status });
      await recordAudit(tx, actor, {
        action: 'subscription.create',
        objectType: 'subscription',
        objectId: created!.id,
        after: { application: application.name, applicationId: application.id, api: `${api.name} ${api.version}`, apiId: api.id, tier: input.tier, status: created!.status },
      });
      return created!.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const [existing] = await (await db())
        .select({ status: subscriptions.status })
        .from(subscriptions)
        .where(and(eq(subscriptions.applicationId, application.id), eq(subscriptions.apiId, api.id)));
      throw conflict(alreadySubscribed[existing?.status ?? 'ACTIVE'](application.name, `${api.name} ${api.version}`));
    }
    throw error;
  }
  const [subscription] = await applicationSubscriptionsWhere(eq(subscriptions.id, subscriptionId));
  return subscription!;
}

export async function unsubscribe(actor: Actor, subscriptionId: string): Promise<void> {
  requireRole(actor, 'subscriber');
  if (!isUuid(subscriptionId)) throw subscriptionNotFound();
  const database = await db();
  await database.transaction(async (tx) => {
    const deleted = await tx
      .delete(subscriptions)
      .where(
        and(
          eq(subscriptions.id, subscriptionId),
          eq(subscriptions.tenantId, actor.tenantId),
          inArray(
            subscriptions.applicationId,
            database
              .select({ id: applications.id })
              .from(applications)
              .where(and(eq(applications.ownerId, actor.userId), eq(applications.tenantId, actor.tenantId))),
          ),
        ),
      )
      .returning({ tenantId: subscriptions.tenantId, apiId: subscriptions.apiId, applicationId: subscriptions.applicationId });
    if (deleted.length === 0) throw subscriptionNotFound();
    // Tokens issued until now still carry the subscription: running gateways are told to refuse them.
    await recordRevokedGrants(tx, deleted);
    await recordAudit(tx, actor, { action: 'subscription.delete', objectType: 'subscription', objectId: subscriptionId, before: { apiId: deleted[0]!.apiId, applicationId: deleted[0]!.applicationId } });
  });
}

export async function listSubscriptionsOfApplication(actor: Actor, applicationId: string): Promise<ApplicationSubscription[]> {
  const application = await requireOwnApplication(actor, applicationId);
  return applicationSubscriptionsWhere(and(eq(subscriptions.applicationId, application.id), eq(subscriptions.tenantId, actor.tenantId)));
}

/** For an API's page in the portal: which of the developer's own applications are subscribed to it. */
export async function listSubscriptionsOfApi(actor: Actor, apiId: string): Promise<SubscriptionToApi[]> {
  requireRole(actor, 'subscriber');
  const api = await requireTenantApi(actor, apiId);
  return (await db())
    .select({
      id: subscriptions.id,
      applicationId: applications.id,
      applicationName: applications.name,
      tier: subscriptions.tier,
      status: subscriptions.status,
      createdAt: subscriptions.createdAt,
    })
    .from(subscriptions)
    .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
    .where(
      and(eq(subscriptions.apiId, api.id), eq(applications.ownerId, actor.userId), eq(applications.tenantId, actor.tenantId)),
    )
    .orderBy(asc(applications.name));
}

/** The publisher's view of who uses an API of their tenant. */
export async function listSubscribersOfApi(publisher: Actor, apiId: string): Promise<ApiSubscriber[]> {
  requireRole(publisher, 'publisher');
  const api = await requireTenantApi(publisher, apiId);
  return apiSubscribersWhere(and(eq(subscriptions.apiId, api.id), eq(subscriptions.tenantId, publisher.tenantId)));
}

/** What a publisher may do to a subscription, from which statuses, and the status it leads to. */
export const SUBSCRIPTION_DECISIONS = {
  approve: { from: ['ON_HOLD', 'REJECTED'], to: 'ACTIVE' },
  reject: { from: ['ON_HOLD'], to: 'REJECTED' },
  block: { from: ['ACTIVE'], to: 'BLOCKED' },
  unblock: { from: ['BLOCKED'], to: 'ACTIVE' },
} as const satisfies Record<string, { from: SubscriptionStatus[]; to: SubscriptionStatus }>;
export type SubscriptionDecision = keyof typeof SUBSCRIPTION_DECISIONS;

const statusWords: Record<SubscriptionStatus, string> = {
  ACTIVE: 'active',
  BLOCKED: 'blocked',
  ON_HOLD: 'waiting for approval',
  REJECTED: 'rejected',
};

/**
 * A publisher's decision on a subscription to an API of their tenant: approve or reject a request,
 * block or unblock an active one. Only ACTIVE subscriptions go into tokens and introspection
 * answers (see blockTakesEffectNote for how soon a block is felt). The status is checked in the
 * update itself, so two publishers deciding at once cannot, say, unblock a request nobody approved.
 */
export async function decideSubscription(publisher: Actor, subscriptionId: string, decision: SubscriptionDecision): Promise<ApiSubscriber> {
  requireRole(publisher, 'publisher');
  if (!isUuid(subscriptionId)) throw subscriptionNotFound();
  const rule = SUBSCRIPTION_DECISIONS[decision];
  const inTenant = and(eq(subscriptions.id, subscriptionId), eq(subscriptions.tenantId, publisher.tenantId));
  const updated = await (await db()).transaction(async (tx) => {
    const [previous] = await tx.select({ status: subscriptions.status }).from(subscriptions).where(inTenant);
    const changed = await tx
      .update(subscriptions)
      .set({ status: rule.to })
      .where(and(inTenant, inArray(subscriptions.status, [...rule.from])))
      .returning({ tenantId: subscriptions.tenantId, apiId: subscriptions.apiId, applicationId: subscriptions.applicationId });
    // A grant that ends (a block): running gateways refuse the tokens issued until now.
    if (rule.to !== 'ACTIVE' && (rule.from as readonly SubscriptionStatus[]).includes('ACTIVE')) await recordRevokedGrants(tx, changed);
    if (changed.length > 0) {
      await recordAudit(tx, publisher, {
        action: `subscription.${decision}`,
        objectType: 'subscription',
        objectId: subscriptionId,
        before: { status: previous?.status, apiId: changed[0]!.apiId, applicationId: changed[0]!.applicationId },
        after: { status: rule.to, apiId: changed[0]!.apiId, applicationId: changed[0]!.applicationId },
      });
    }
    return changed;
  });
  const [subscriber] = await apiSubscribersWhere(inTenant);
  if (!subscriber) throw subscriptionNotFound();
  if (updated.length === 0) {
    throw conflict(`The subscription of ${subscriber.applicationName} is ${statusWords[subscriber.status]}, so it cannot be ${decision === 'approve' ? 'approved' : `${decision}ed`}.`);
  }
  return subscriber;
}

/** Blocks or unblocks an active subscription (see decideSubscription). */
export function setSubscriptionBlocked(publisher: Actor, subscriptionId: string, blocked: boolean): Promise<ApiSubscriber> {
  return decideSubscription(publisher, subscriptionId, blocked ? 'block' : 'unblock');
}
