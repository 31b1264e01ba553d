import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random client credentials and opaque tokens, and their hashes at rest. They carry 256 bits
 * of randomness, so a fast SHA-256 is enough (nothing to brute-force); a password hash such
 * as argon2 would only slow the token endpoint down.
 */

/** The public client id: URL-safe, so it needs no escaping in Basic headers or forms. */
export function newConsumerKey(): string {
  return randomBytes(18).toString('base64url');
}

/** 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored SHA-256 hash in constant time. */
export function matchesSha256Hex(presented: string, storedHash: string): boolean {
  const presentedHash = Buffer.from(sha256Hex(presented), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}

/** Compares two secrets in constant time (for secrets kept encrypted rather than hashed). */
export function sameSecret(presented: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return matchesSha256Hex(presented, sha256Hex(expected));
}
