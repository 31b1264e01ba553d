import type { JSONWebKeySet } from 'jose';
import { desc, gt, isNull, or } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { signingKeys } from '../db/schema';

/** How long the JWKS may be cached: short, so clients see a next key well before it signs. */
export const JWKS_MAX_AGE_SECONDS = 60;

/**
 * The public keys that verify tokens: the active key, the next key (published before it signs)
 * and rotated keys whose tokens may still be valid.
 */
export async function publicJwks(now: Date = new Date()): Promise<JSONWebKeySet> {
  const rows = await (await db())
    .select({ publicJwk: signingKeys.publicJwk })
    .from(signingKeys)
    .where(or(isNull(signingKeys.retireAfter), gt(signingKeys.retireAfter, now)))
    .orderBy(desc(signingKeys.createdAt));
  return { keys: rows.map((row) => row.publicJwk as JSONWebKeySet['keys'][number]) };
}

/** What every gateway is given: the same keys as the JWKS, so a next key is loaded before it signs. */
export const gatewaySigningKeys = publicJwks;
