import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AccessTokenClaims } from '../../gateway/src/token-claims';
import { db } from '../db/drizzle';
import { apis, applications, subscriptions, tenants, users, type ApiState } from '../db/schema';

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
      subscriptions: subscriptionRows,
    },
  };
}
