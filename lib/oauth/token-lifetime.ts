/**
 * What an application's key may ask for as its tokens' validity (the key settings form and the
 * token endpoint both hold to it), and what it asks for until changed.
 */
export const MIN_TOKEN_VALIDITY_SECONDS = 60;
export const MAX_TOKEN_VALIDITY_SECONDS = 365 * 24 * 60 * 60;
export const DEFAULT_TOKEN_VALIDITY_SECONDS = 3600;

/**
 * How long what gateways hold about a token may live. JWT access tokens are checked offline, so
 * their lifetime is the longest a block or a revocation can take to reach a gateway; the platform
 * caps it (PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS, 1 hour by default) whatever an application's
 * key asks for.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The longest a gateway may keep an introspection answer (opaque tokens) before asking again:
 * the bound within which a block or a revocation reaches calls made with opaque tokens.
 */
export const INTROSPECTION_CACHE_MAX_SECONDS = 60;

/**
 * How often every gateway fetches its API's revocation list (revoked tokens, blocked or removed
 * subscriptions). A block or a revocation reaches running gateways within this plus one fetch
 * (3 s at most): REVOCATION_BOUND_SECONDS.
 */
export const REVOCATIONS_POLL_SECONDS = 10;
export const REVOCATION_BOUND_SECONDS = REVOCATIONS_POLL_SECONDS + 3;

/** The platform maximum, from PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS; a value that is not a whole number of seconds in range is an error. */
export function maxTokenLifetimeSeconds(env: Record<string, string | undefined> = process.env): number {
  const text = env.PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS?.trim();
  if (!text) return DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < MIN_TOKEN_VALIDITY_SECONDS || seconds > MAX_TOKEN_VALIDITY_SECONDS) {
    throw new Error(
      `PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds from ${MIN_TOKEN_VALIDITY_SECONDS} to ${MAX_TOKEN_VALIDITY_SECONDS}, not "${text}"`,
    );
  }
  return seconds;
}

/** The lifetime a token really gets: what its key asks for, at most the platform maximum. */
export function effectiveTokenLifetime(requestedSeconds: number, maxSeconds: number = maxTokenLifetimeSeconds()): number {
  return Math.min(requestedSeconds, maxSeconds);
}
