import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { requireRole, requireSameTenant } from '../auth/actor';
import { requireOwnApplication } from '../applications/applications.service';
import { db } from '../db/drizzle';
import { isUuid } from '../ids';
import { isUniqueViolation } from '../db/errors';
import { apis, applicationKeys, applications, subscriptions, users, type ApiState } from '../db/schema';
import { conflict, invalid, notFound } from '../errors';
import type { SubscribeInput } from './subscriptions.schema';

/**
 * Subscriptions connect a developer's application to a published API at one of its tiers.
 * Access tokens carry the application's active subscriptions, so this is what a gateway's
 * "may this caller use my API, and how often" comes down to.
 */

/**
 * How soon a block is felt. Gateways check JWTs offline, so a block reaches them with the next
 * token the application gets: at most the application's token validity after the block.
 */
export const BLOCK_TAKES_EFFECT_NOTE =
  'A block applies to new access tokens at once and to opaque tokens at their next introspection; ' +
  'JWT access tokens issued before the block keep working until they expire, ' +
  "so it takes effect within the application's token validity period.";

export type SubscriptionStatus = 'ACTIVE' | 'BLOCKED';

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
  /** The application's token validity: the longest a block or unblock takes to reach gateways (see BLOCK_TAKES_EFFECT_NOTE). Null before keys exist. */
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
    .select({ id: apis.id, tenantId: apis.tenantId, name: apis.name, version: apis.version, state: apis.state, tiers: apis.tiers })
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
  return (await db())
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
    .orderBy(asc(applications.name), asc(users.username));
}

/**
 * Subscribes the actor's application to a published API of their tenant at a tier the API
 * offers. (Visibility needs no check of its own: both public and private APIs are visible
 * inside their tenant, and other tenants' APIs are not found.)
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
    const [created] = await (await db())
      .insert(subscriptions)
      .values({ tenantId: actor.tenantId, applicationId: application.id, apiId: api.id, tier: input.tier })
      .returning({ id: subscriptions.id });
    subscriptionId = created!.id;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict(`${application.name} is already subscribed to ${api.name} ${api.version}. Unsubscribe first to change its tier.`);
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
  const deleted = await database
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
    .returning({ id: subscriptions.id });
  if (deleted.length === 0) throw subscriptionNotFound();
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

/**
 * Blocks or unblocks a subscription to an API of the publisher's tenant. A blocked subscription
 * is left out of new tokens and introspection answers (see BLOCK_TAKES_EFFECT_NOTE).
 */
export async function setSubscriptionBlocked(publisher: Actor, subscriptionId: string, blocked: boolean): Promise<ApiSubscriber> {
  requireRole(publisher, 'publisher');
  if (!isUuid(subscriptionId)) throw subscriptionNotFound();
  const inTenant = and(eq(subscriptions.id, subscriptionId), eq(subscriptions.tenantId, publisher.tenantId));
  const updated = await (await db())
    .update(subscriptions)
    .set({ status: blocked ? 'BLOCKED' : 'ACTIVE' })
    .where(inTenant)
    .returning({ id: subscriptions.id });
  if (updated.length === 0) throw subscriptionNotFound();
  const [subscriber] = await apiSubscribersWhere(inTenant);
  return subscriber!;
}
