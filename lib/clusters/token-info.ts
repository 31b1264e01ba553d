import { decodeJwt } from 'jose';

/** How a stored service account token is shown: "set · expires <date>", never the token itself. */
export interface ServiceAccountTokenInfo {
  set: boolean;
  expiresAt?: Date;
  expired: boolean;
  /** Expires within {@link EXPIRES_SOON_MS} (and has not yet). */
  expiresSoon: boolean;
  /** e.g. `system:serviceaccount:privatejet:privatejet`. */
  subject?: string;
}

export const EXPIRES_SOON_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Reads the expiry and subject of a token for display. The signature is NOT verified: the API
 * server does that; this only tells the admin when to paste a new token. Legacy Secret tokens
 * (like the seed's) carry no `exp`, and non-JWT tokens are simply "set".
 */
export function describeServiceAccountToken(token: string | undefined | null, now: Date = new Date()): ServiceAccountTokenInfo {
  const trimmed = token?.trim() ?? '';
  if (trimmed === '') return { set: false, expired: false, expiresSoon: false };
  let claims: { exp?: unknown; sub?: unknown };
  try {
    claims = decodeJwt(trimmed);
  } catch {
    return { set: true, expired: false, expiresSoon: false };
  }
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  const expiresAt = typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? new Date(claims.exp * 1000) : undefined;
  if (!expiresAt || Number.isNaN(expiresAt.getTime())) return { set: true, expired: false, expiresSoon: false, ...(subject ? { subject } : {}) };
  const remaining = expiresAt.getTime() - now.getTime();
  return {
    set: true,
    expiresAt,
    expired: remaining <= 0,
    expiresSoon: remaining > 0 && remaining <= EXPIRES_SOON_MS,
    ...(subject ? { subject } : {}),
  };
}
