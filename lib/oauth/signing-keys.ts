import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { and, desc, eq, isNotNull, isNull, max, sql } from 'drizzle-orm';
import { db, type Database } from '../db/drizzle';
import { accessTokens, applicationKeys, deployments, signingKeys } from '../db/schema';
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

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

const activeKeys = and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.rotatedAt));

/** Called when a next key is published: every gateway must be given it before it signs. */
const nextKeyListeners = new Set<() => void>();
export function onNextSigningKeyPublished(listener: () => void): () => void {
  nextKeyListeners.add(listener);
  return () => nextKeyListeners.delete(listener);
}

/**
 * Whether every gateway that was ever applied (and is not being removed) holds the key: only then
 * can it sign without a gap, as HAProxy loads keys when its config is (re)loaded.
 */
export async function gatewaysMissingKey(executor: Pick<Database, 'select'>, kid: string): Promise<number> {
  const [row] = await executor
    .select({ missing: sql<number>`count(*)::int` })
    .from(deployments)
    .where(and(isNotNull(deployments.configHash), sql`${deployments.status} <> 'undeploying'`, sql`not (${kid} = any(${deployments.signingKeyIds}))`));
  return row?.missing ?? 0;
}

async function insertKey(tx: Transaction, now: Date, activate: boolean): Promise<string> {
  const created = await newKeyPair();
  await tx.insert(signingKeys).values({ ...created, algorithm: SIGNING_ALGORITHM, createdAt: now, activatedAt: activate ? now : null });
  return created.kid;
}

/** The old key signed tokens valid for at most the longest validity of any key, or the latest expiry on record. */
async function retireAfterFor(tx: Transaction, now: Date): Promise<Date> {
  const [{ longestValiditySeconds } = { longestValiditySeconds: null }] = await tx
    .select({ longestValiditySeconds: max(applicationKeys.tokenValiditySeconds) })
    .from(applicationKeys);
  const [{ latestJwtExpiry } = { latestJwtExpiry: null }] = await tx
    .select({ latestJwtExpiry: max(accessTokens.expiresAt) })
    .from(accessTokens)
    .where(eq(accessTokens.tokenType, 'jwt'));
  return new Date(Math.max(now.getTime() + (longestValiditySeconds ?? 0) * 1000, latestJwtExpiry ? new Date(latestJwtExpiry).getTime() : 0));
}

interface RotationPolicy {
  /** Lazy rotation on issue: only when the active key is older than this. */
  whenOlderThanMs?: number;
  /** Promote the next key even if some gateway has not loaded it (an administrator's rotation). */
  force?: boolean;
}

/**
 * Key rollout without a gap. There is always a *next* key, published in the JWKS and rendered
 * into every gateway, that signs nothing yet. Rotating promotes it — only once every gateway
 * has it (or when forced, or when the active key is twice past its age: a gateway that cannot
 * be updated must not keep a key in service forever) — and publishes a new next key. Runs
 * under a lock, so concurrent issuers in any process rotate once.
 */
async function rotate(now: Date, policy: RotationPolicy): Promise<ActiveSigningKey> {
  const database = await db();
  let publishedNextKey = false;
  const kid = await database.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK_ID})`);
    const [current] = await tx
      .select({ kid: signingKeys.kid, activatedAt: signingKeys.activatedAt })
      .from(signingKeys)
      .where(activeKeys)
      .orderBy(desc(signingKeys.activatedAt))
      .limit(1);
    const [next] = await tx.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.activatedAt)).orderBy(desc(signingKeys.createdAt)).limit(1);
    const ageMs = current?.activatedAt ? now.getTime() - current.activatedAt.getTime() : Infinity;
    if (current && policy.whenOlderThanMs !== undefined && ageMs < policy.whenOlderThanMs) {
      if (!next) {
        await insertKey(tx, now, false);
        publishedNextKey = true;
      }
      return current.kid;
    }
    if (!current) {
      // The very first key: no gateway can hold a token of any key yet, so it signs at once.
      const first = next?.kid ?? (await insertKey(tx, now, true));
      if (next) await tx.update(signingKeys).set({ activatedAt: now }).where(eq(signingKeys.kid, first));
      await insertKey(tx, now, false);
      publishedNextKey = true;
      return first;
    }
    let promoted = next?.kid;
    if (!promoted) {
      // No next key yet: publish one now; only a forced rotation makes it sign before gateways have it.
      promoted = await insertKey(tx, now, false);
      publishedNextKey = true;
      if (!policy.force) return current.kid;
    } else if (!policy.force && (policy.whenOlderThanMs === undefined || ageMs < 2 * policy.whenOlderThanMs)) {
      if ((await gatewaysMissingKey(tx, promoted)) > 0) return current.kid;
    }
    await tx.update(signingKeys).set({ rotatedAt: now, retireAfter: await retireAfterFor(tx, now) }).where(eq(signingKeys.kid, current.kid));
    await tx.update(signingKeys).set({ activatedAt: now }).where(eq(signingKeys.kid, promoted));
    await insertKey(tx, now, false);
    publishedNextKey = true;
    return promoted;
  });
  activeKeyCache.delete(database);
  if (publishedNextKey) for (const listener of nextKeyListeners) listener();
  return loadSigningKey(database, kid);
}

/** Replaces the active signing key now (an administrator's "rotate", or a suspected leak), even before every gateway has the next one. */
export function rotateSigningKey(now: Date = new Date()): Promise<ActiveSigningKey> {
  return rotate(now, { force: true });
}

/** At start-up: an active key and a next key exist, so gateways deployed before any token have keys to load. */
export async function ensureSigningKeys(now: Date = new Date()): Promise<void> {
  await rotate(now, { whenOlderThanMs: signingKeyMaxAgeMs() });
}

/** The key that signs new tokens; made on first use and rotated when older than the configured age and every gateway has the next one. */
export async function activeSigningKey(now: Date = new Date()): Promise<ActiveSigningKey> {
  const database = await db();
  const maxAgeMs = signingKeyMaxAgeMs();
  const [active] = await database
    .select({ kid: signingKeys.kid, activatedAt: signingKeys.activatedAt })
    .from(signingKeys)
    .where(activeKeys)
    .orderBy(desc(signingKeys.activatedAt))
    .limit(1);
  if (!active || now.getTime() - active.activatedAt!.getTime() >= maxAgeMs) return rotate(now, { whenOlderThanMs: maxAgeMs });
  const cached = activeKeyCache.get(database);
  return cached?.kid === active.kid ? cached : loadSigningKey(database, active.kid);
}

/** Signs access-token claims with the active key; `typ` per RFC 9068. */
export async function signAccessToken(claims: JWTPayload, now: Date = new Date()): Promise<string> {
  const key = await activeSigningKey(now);
  return new SignJWT(claims).setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}
