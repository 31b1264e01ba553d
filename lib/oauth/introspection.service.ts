import { eq } from 'drizzle-orm';
import type { IntrospectionResponse } from './access-token-claims';
import { db } from '../db/drizzle';
import { introspectionClients } from '../db/schema';
import { decryptSecret, encryptSecret } from '../secrets';
import { applicationClaimsFor } from './access-token-claims';
import { clientAuthenticationFailed, findApplicationClient, type PresentedCredentials } from './client-auth';
import { newConsumerKey, newSecret, sameSecret } from './credentials';
import { findIssuedToken } from './issued-tokens';
import { ACCESS_TOKEN_AUDIENCE } from './issuer';
import { GRANTED_SCOPE } from './token.service';

export interface IntrospectionClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * The credential the tenant's gateways introspect opaque tokens with, created on first use.
 * The secret comes back decrypted because it is written into the tenant's gateway configs.
 */
export async function introspectionClientFor(tenantId: string): Promise<IntrospectionClientCredentials> {
  const database = await db();
  await database
    .insert(introspectionClients)
    .values({ tenantId, clientId: `introspection-${newConsumerKey()}`, clientSecretEncrypted: encryptSecret(newSecret()) })
    .onConflictDoNothing({ target: introspectionClients.tenantId });
  const [row] = await database.select().from(introspectionClients).where(eq(introspectionClients.tenantId, tenantId));
  if (!row) throw new Error(`The introspection client of tenant ${tenantId} could not be created`);
  return { clientId: row.clientId, clientSecret: decryptSecret(row.clientSecretEncrypted) };
}

/** Who may ask: a tenant's gateways (any token of the tenant) or an application (its own tokens only). */
type IntrospectionCaller = { tenantId: string; applicationId?: string };

async function authenticateIntrospectionCaller(credentials: PresentedCredentials): Promise<IntrospectionCaller> {
  const [gateway] = await (await db())
    .select()
    .from(introspectionClients)
    .where(eq(introspectionClients.clientId, credentials.clientId));
  if (gateway) {
    if (!sameSecret(credentials.clientSecret, decryptSecret(gateway.clientSecretEncrypted))) throw clientAuthenticationFailed();
    return { tenantId: gateway.tenantId };
  }
  const application = await findApplicationClient(credentials);
  if (!application) throw clientAuthenticationFailed();
  return { tenantId: application.tenantId, applicationId: application.applicationId };
}

export type ActiveIntrospection = Extract<IntrospectionResponse, { active: true }> & { token_type: 'Bearer' };
export type IntrospectionAnswer = { active: false } | ActiveIntrospection;

const inactive = { active: false } as const;

/**
 * RFC 7662 introspection of an opaque or JWT access token. Unknown, expired, revoked and
 * other tenants' tokens are all just inactive (nothing to learn from the difference). The
 * subscriptions are read now, not at issue time, so a block applies to opaque tokens at once.
 */
export async function introspect(token: string, credentials: PresentedCredentials, now: Date = new Date()): Promise<IntrospectionAnswer> {
  const caller = await authenticateIntrospectionCaller(credentials);
  const record = await findIssuedToken(token, now);
  if (!record || record.revokedAt || record.expiresAt.getTime() <= now.getTime()) return inactive;
  if (caller.applicationId !== undefined && caller.applicationId !== record.applicationId) return inactive;
  const context = await applicationClaimsFor(record.applicationId);
  if (!context || context.tenantId !== caller.tenantId) return inactive;
  const issuedAt = Math.floor(record.createdAt.getTime() / 1000);
  return {
    active: true,
    token_type: 'Bearer',
    iss: record.issuer,
    sub: record.consumerKey,
    aud: ACCESS_TOKEN_AUDIENCE,
    exp: Math.floor(record.expiresAt.getTime() / 1000),
    iat: issuedAt,
    nbf: issuedAt,
    jti: record.jti,
    client_id: record.consumerKey,
    // RFC 7662 §2.2: every token this server issues has the one scope (see GRANTED_SCOPE).
    scope: GRANTED_SCOPE,
    ...context.claims,
    keytype: record.keyType,
  };
}
