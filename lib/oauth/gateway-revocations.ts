import { and, eq, gt, isNotNull } from 'drizzle-orm';
import { db, type Database } from '../db/drizzle';
import { accessTokens, apis, applications, introspectionClients, subscriptionRevocations } from '../db/schema';
import { isUuid } from '../ids';
import { decryptSecret } from '../secrets';
import { clientAuthenticationFailed, type PresentedCredentials } from './client-auth';
import { sameSecret } from './credentials';
import { maxTokenLifetimeSeconds } from './token-lifetime';

/**
 * What running gateways must refuse although the tokens verify offline: revoked tokens, and
 * tokens issued before a subscription stopped granting an API (blocked, removed, its application
 * deleted). Gateways fetch the list every few seconds (privatejet.lua), which bounds how long a
 * block or a revocation takes to bite; an entry lives as long as a token it concerns can.
 */

type Executor = Pick<Database, 'insert'>;

export interface RevokedGrant {
  tenantId: string;
  apiId: string;
  applicationId: string;
}

/** Records that these subscriptions no longer grant their APIs, from `now` (call in the transaction that changes them). */
export async function recordRevokedGrants(executor: Executor, grants: RevokedGrant[], now: Date = new Date()): Promise<void> {
  if (grants.length === 0) return;
  await executor
    .insert(subscriptionRevocations)
    .values(grants.map((grant) => ({ ...grant, revokedAt: now })))
    .onConflictDoUpdate({ target: [subscriptionRevocations.apiId, subscriptionRevocations.applicationId], set: { revokedAt: now } });
}

/** The gateway clients of a tenant only: an application's credentials never read a revocation list. */
async function authenticateGateway(credentials: PresentedCredentials): Promise<string> {
  const [client] = await (await db()).select().from(introspectionClients).where(eq(introspectionClients.clientId, credentials.clientId));
  if (!client || !sameSecret(credentials.clientSecret, decryptSecret(client.clientSecretEncrypted))) throw clientAuthenticationFailed();
  return client.tenantId;
}

/**
 * The list for one API's gateways, one entry per line: "token <jti>" for a revoked token of the
 * tenant that has not expired, "application <id> <epoch seconds>" for an application whose tokens
 * issued up to then no longer grant the API. An API of another tenant gets an empty list.
 */
export async function gatewayRevocationList(credentials: PresentedCredentials, apiId: string, now: Date = new Date()): Promise<string> {
  const tenantId = await authenticateGateway(credentials);
  const header = `# revocations for API ${isUuid(apiId) ? apiId : '-'} as of ${now.toISOString()}\n`;
  if (!isUuid(apiId)) return header;
  const database = await db();
  const [api] = await database.select({ id: apis.id }).from(apis).where(and(eq(apis.id, apiId), eq(apis.tenantId, tenantId)));
  if (!api) return header;
  const oldestLiveToken = new Date(now.getTime() - maxTokenLifetimeSeconds() * 1000);
  const [tokens, grants] = await Promise.all([
    database
      .select({ jti: accessTokens.jti })
      .from(accessTokens)
      .innerJoin(applications, eq(applications.id, accessTokens.applicationId))
      .where(and(eq(applications.tenantId, tenantId), isNotNull(accessTokens.revokedAt), gt(accessTokens.expiresAt, now))),
    database
      .select({ applicationId: subscriptionRevocations.applicationId, revokedAt: subscriptionRevocations.revokedAt })
      .from(subscriptionRevocations)
      .where(and(eq(subscriptionRevocations.apiId, apiId), eq(subscriptionRevocations.tenantId, tenantId), gt(subscriptionRevocations.revokedAt, oldestLiveToken))),
  ]);
  const lines = [
    ...tokens.map((token) => `token ${token.jti}`),
    // Rounded up: a token issued in the same second as the block is refused too.
    ...grants.map((grant) => `application ${grant.applicationId} ${Math.ceil(grant.revokedAt.getTime() / 1000)}`),
  ];
  return header + lines.map((line) => `${line}\n`).join('');
}
