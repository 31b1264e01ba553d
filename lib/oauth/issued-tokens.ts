import { createLocalJWKSet, jwtVerify } from 'jose';
import { and, eq } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { accessTokens } from '../db/schema';
import { sha256Hex } from './credentials';
import { ACCESS_TOKEN_AUDIENCE, acceptedIssuers, issuerUrl } from './issuer';
import { publicJwks } from './jwks';
import { SIGNING_ALGORITHM } from './signing-keys';

/** A token record, and the issuer it was issued under (a JWT's `iss`; opaque tokens have none of their own). */
export type IssuedToken = typeof accessTokens.$inferSelect & { issuer: string };

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/**
 * The record of a token this server issued, or null. A JWT counts only with a valid signature
 * from a published key, an accepted issuer and an unexpired `exp`, so a forged `jti` finds
 * nothing; an opaque token is found by its hash, the only form in which it is stored.
 */
export async function findIssuedToken(token: string, now: Date = new Date()): Promise<IssuedToken | null> {
  const database = await db();
  if (!looksLikeJwt(token)) {
    const [row] = await database.select().from(accessTokens).where(eq(accessTokens.opaqueTokenHash, sha256Hex(token)));
    return row ? { ...row, issuer: issuerUrl() } : null;
  }
  let issuer: string | undefined;
  let jti: string | undefined;
  let subject: string | undefined;
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks(now)), {
      issuer: acceptedIssuers(),
      audience: ACCESS_TOKEN_AUDIENCE,
      algorithms: [SIGNING_ALGORITHM],
      currentDate: now,
    });
    issuer = payload.iss;
    jti = payload.jti;
    subject = payload.sub;
  } catch {
    return null;
  }
  if (!issuer || !jti || !subject) return null;
  const [row] = await database
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.jti, jti), eq(accessTokens.tokenType, 'jwt'), eq(accessTokens.consumerKey, subject)));
  return row ? { ...row, issuer } : null;
}
