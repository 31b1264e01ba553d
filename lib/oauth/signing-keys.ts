import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { desc, eq, isNull, max, sql } from 'drizzle-orm';
import { db, type Database } from '../db/drizzle';
import { accessTokens, applicationKeys, signingKeys } from '../db/schema';
import { decryptSecret, encryptSecret } from '../secrets';
import { effectiveTokenLifetime } from './token-lifetime';

/**
 * RS256: gateways verify a signature on every request, and RSA verification (public exponent
 * 65537) is several times cheaper than ECDSA P-256 verification; the slower RSA signing runs
 * once per issued token, off the hot path. It is also the gateways' default allow-list.
 */
export const SIGNING_ALGORITHM = 'RS256';
const RSA_MODULUS_BITS = 2048;

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_AGE_DAYS = 30;
// Any fixed number: it only has to be the same in every process that may rotate keys.
const ROTATION_LOCK_ID = 7_420_011;

/** How old the active key may get before the next token issue rotates it. */
export function signingKeyMaxAgeMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS?.trim();
  if (!raw) return DEFAULT_MAX_AGE_DAYS * DAY_MS;
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0) {
    throw new Error(`PRIVATEJET_SIGNING_KEY_MAX_AGE_DAYS must be a positive number of days, not "${raw}"`);
  }
  return days * DAY_MS;
}

export interface ActiveSigningKey {
  kid: string;
  algorithm: string;
  privateKey: CryptoKey;
  createdAt: Date;
}

// Decrypting and importing an RSA private key costs more than a signature: keep the active
// key per database; a kid check on each use notices a rotation made by another process.
const activeKeyCache = new WeakMap<Database, ActiveSigningKey>();

async function loadSigningKey(database: Database, kid: string): Promise<ActiveSigningKey> {
  const [row] = await database.select().from(signingKeys).where(eq(signingKeys.kid, kid));
  if (!row) throw new Error(`Signing key ${kid} vanished while loading it`);
  const privateJwk = JSON.parse(decryptSecret(row.privateKeyEncrypted)) as JWK;
  const privateKey = (await importJWK(privateJwk, row.algorithm)) as CryptoKey;
  const key = { kid: row.kid, algorithm: row.algorithm, privateKey, createdAt: row.createdAt };
  activeKeyCache.set(database, key);
  return key;
}

async function newKeyPair(): Promise<{ kid: string; publicJwk: JWK; privateKeyEncrypted: string }> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { modulusLength: RSA_MODULUS_BITS, extractable: true });
  const bareJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(bareJwk, 'sha256');
  return {
    kid,
    publicJwk: { ...bareJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    privateKeyEncrypted: encryptSecret(JSON.stringify(await exportJWK(privateKey))),
  };
}

/**
 * Makes a new active key and retires the previous one once every token it may have signed
 * has expired. `whenOlderThanMs` makes it conditional, for the lazy rotation on issue: the
 * check runs under a lock, so concurrent issuers (in any process) create one key, not several.
 */
async function rotate(now: Date, whenOlderThanMs?: number): Promise<ActiveSigningKey> {
  const database = await db();
  const kid = await database.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK_ID})`);
    const [current] = await tx
      .select({ kid: signingKeys.kid, createdAt: signingKeys.createdAt })
      .from(signingKeys)
      .where(isNull(signingKeys.rotatedAt))
      .orderBy(desc(signingKeys.createdAt))
      .limit(1);
    if (current && whenOlderThanMs !== undefined && now.getTime() - current.createdAt.getTime() < whenOlderThanMs) {
      return current.kid;
    }

    // The old key signed tokens valid for at most the longest validity of any key; a key whose
    // validity was lowered since may still have longer-lived tokens out, hence the latest expiry too.
    const [{ longestValiditySeconds } = { longestValiditySeconds: null }] = await tx
      .select({ longestValiditySeconds: max(applicationKeys.tokenValiditySeconds) })
      .from(applicationKeys);
    const [{ latestJwtExpiry } = { latestJwtExpiry: null }] = await tx
      .select({ latestJwtExpiry: max(accessTokens.expiresAt) })
      .from(accessTokens)
      .where(eq(accessTokens.tokenType, 'jwt'));
    const longestLifetimeSeconds = effectiveTokenLifetime(longestValiditySeconds ?? 0);
    const retireAfter = new Date(
      Math.max(now.getTime() + longestLifetimeSeconds * 1000, latestJwtExpiry ? new Date(latestJwtExpiry).getTime() : 0),
    );
    await tx.update(signingKeys).set({ rotatedAt: now, retireAfter }).where(isNull(signingKeys.rotatedAt));

    const created = await newKeyPair();
    await tx.insert(signingKeys).values({ ...created, algorithm: SIGNING_ALGORITHM, createdAt: now });
    return created.kid;
  });
  activeKeyCache.delete(database);
  return loadSigningKey(database, kid);
}

/** Replaces the active signing key now (an administrator's "rotate", or a suspected leak). */
export function rotateSigningKey(now: Date = new Date()): Promise<ActiveSigningKey> {
  return rotate(now);
}

/** The key that signs new tokens; made on first use and rotated when older than the configured age. */
export async function activeSigningKey(now: Date = new Date()): Promise<ActiveSigningKey> {
  const database = await db();
  const maxAgeMs = signingKeyMaxAgeMs();
  const [active] = await database
    .select({ kid: signingKeys.kid, createdAt: signingKeys.createdAt })
    .from(signingKeys)
    .where(isNull(signingKeys.rotatedAt))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1);
  if (!active || now.getTime() - active.createdAt.getTime() >= maxAgeMs) return rotate(now, maxAgeMs);
  const cached = activeKeyCache.get(database);
  return cached?.kid === active.kid ? cached : loadSigningKey(database, active.kid);
}

/** Signs access-token claims with the active key; `typ` per RFC 9068. */
export async function signAccessToken(claims: JWTPayload, now: Date = new Date()): Promise<string> {
  const key = await activeSigningKey(now);
  return new SignJWT(claims).setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}
