import type { JSONWebKeySet } from 'jose';
import { desc, gt, isNull, or } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { signingKeys } from '../db/schema';

/** How long the JWKS may be cached: short, because a rotated-in key signs tokens at once. */
export const JWKS_MAX_AGE_SECONDS = 60;

/** The public keys that verify tokens: the active key and rotated keys whose tokens may still be valid. */
export async function publicJwks(now: Date = new Date()): Promise<JSONWebKeySet> {
  const rows = await (await db())
    .select({ publicJwk: signingKeys.publicJwk })
    .from(signingKeys)
    .where(or(isNull(signingKeys.retireAfter), gt(signingKeys.retireAfter, now)))
    .orderBy(desc(signingKeys.createdAt));
  return { keys: rows.map((row) => row.publicJwk as JSONWebKeySet['keys'][number]) };
}
