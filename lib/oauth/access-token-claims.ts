import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { db } from '../db/drizzle';
import { apis, applications, subscriptions, tenants, users, type ApiState } from '../db/schema';
import { keyTypeValues } from '../key-types';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ); a scope is such tokens separated by single spaces. */
export const scopeTokenPattern = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The contract between the portal's authorization server and every dedicated gateway: the
 * claims of an access token (and of an introspection answer). `subscriptions` maps API id to
 * tier, so a gateway decides "subscribed, and at which tier" with one lookup of its own id
 * (HAProxy's json_query cannot search an array).
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string(),
  /** The application's consumer key. */
  sub: z.string().min(1),
  aud: z.string(),
  exp: z.number(),
  iat: z.number(),
  nbf: z.number(),
  jti: z.string(),
  /** The application's consumer key (same as `sub`). */
  client_id: z.string().min(1),
  /** RFC 9068 §2.2.3 / RFC 7662 §2.2: the granted scopes, space-separated. */
  scope: z.string().refine((scope) => scope.split(' ').every((token) => scopeTokenPattern.test(token)), 'scope must be scope names separated by single spaces'),
  tenant: z.string().min(1),
  application: z.object({ id: z.string().min(1), name: z.string(), tier: z.string(), owner: z.string() }),
  /** API id → the subscription's throttling tier, for each active subscription to a deployed API. */
  subscriptions: z.record(z.string(), z.string()),
  /**
   * The type of the key the token was issued to (WSO2's `keytype`): gateways send SANDBOX tokens to
   * the API's sandbox endpoint and PRODUCTION ones to its production endpoint. Tokens issued before
   * key types existed have none and count as PRODUCTION.
   */
  keytype: z.enum(keyTypeValues).optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** RFC 7662 answer for an active token: `active` plus the same claims (registered ones optional, §2.2). */
export const introspectionResponseSchema = z.discriminatedUnion('active', [
  z.looseObject({ active: z.literal(false) }),
  accessTokenClaimsSchema.partial({ iss: true, aud: true, iat: true, nbf: true, jti: true }).extend({ active: z.literal(true) }),
]);
export type IntrospectionResponse = z.infer<typeof introspectionResponseSchema>;

/** APIs in these states are deployed, so their subscriptions go into tokens; the others have no gateway. */
export const TOKEN_API_STATES: readonly ApiState[] = ['PUBLISHED', 'DEPRECATED'];

export type ApplicationClaims = Pick<AccessTokenClaims, 'tenant' | 'application' | 'subscriptions'>;

export interface ApplicationClaimsContext {
  tenantId: string;
  claims: ApplicationClaims;
}

/**
 * What an access token says about its application, as of now: the tenant, the application and
 * its active subscriptions to deployed APIs. Issuing and introspection both read it here, so a
 * JWT and an introspection answer never disagree on the rules. Null for an unknown application
 * or one whose owner was disabled.
 */
export async function applicationClaimsFor(applicationId: string): Promise<ApplicationClaimsContext | null> {
  const database = await db();
  const [applicationRows, subscriptionRows] = await Promise.all([
    database
      .select({
        id: applications.id,
        name: applications.name,
        tier: applications.tier,
        owner: users.username,
        ownerDisabled: users.disabled,
        tenantId: tenants.id,
        tenantDomain: tenants.domain,
      })
      .from(applications)
      .innerJoin(users, eq(users.id, applications.ownerId))
      .innerJoin(tenants, eq(tenants.id, applications.tenantId))
      .where(eq(applications.id, applicationId)),
    database
      .select({ apiId: apis.id, context: apis.context, version: apis.version, tier: subscriptions.tier })
      .from(subscriptions)
      // Same tenant on both sides: a subscription can never reach across tenants.
      .innerJoin(apis, and(eq(apis.id, subscriptions.apiId), eq(apis.tenantId, subscriptions.tenantId)))
      .where(
        and(
          eq(subscriptions.applicationId, applicationId),
          eq(subscriptions.status, 'ACTIVE'),
          inArray(apis.state, [...TOKEN_API_STATES]),
        ),
      )
      .orderBy(asc(apis.context), asc(apis.version)),
  ]);
  const [application] = applicationRows;
  if (!application || application.ownerDisabled) return null;
  return {
    tenantId: application.tenantId,
    claims: {
      tenant: application.tenantDomain,
      application: { id: application.id, name: application.name, tier: application.tier, owner: application.owner },
      subscriptions: Object.fromEntries(subscriptionRows.map((row) => [row.apiId, row.tier])),
    },
  };
}
