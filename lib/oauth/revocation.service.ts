import { and, eq, isNull } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { accessTokens } from '../db/schema';
import { authenticateApplicationClient, type PresentedCredentials } from './client-auth';
import { findIssuedToken } from './issued-tokens';
import { OAuthError } from './oauth-errors';

/**
 * RFC 7009 revocation by the client the token was issued to. An unknown or expired token is
 * not an error (§2.2): the client's goal, a token that no longer works, is met. Introspection
 * sees the revocation at once; gateways that verify JWTs offline accept one until it expires.
 */
export async function revokeToken(token: string, credentials: PresentedCredentials, now: Date = new Date()): Promise<void> {
  const client = await authenticateApplicationClient(credentials);
  const record = await findIssuedToken(token, now);
  if (!record) return;
  if (record.applicationId !== client.applicationId) {
    throw new OAuthError('unauthorized_client', 'This token was not issued to this client.');
  }
  await (await db())
    .update(accessTokens)
    .set({ revokedAt: now })
    .where(and(eq(accessTokens.jti, record.jti), isNull(accessTokens.revokedAt)));
}
