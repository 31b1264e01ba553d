import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import { accessTokenClaimsSchema, type AccessTokenClaims } from '../token-claims';

type TokenSettings = GatewayConfig['tokens'];
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt']);
type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export interface JwtVerifierOptions {
  /** Refreshing the key set for an unknown `kid` happens at most this often (tokens are attacker-controlled). */
  minRefreshIntervalMs?: number;
  onEvent?: (event: string, details: Record<string, unknown>) => void;
}

const invalidToken = (message: string) => new GatewayError(401, 'invalid_token', message);
const isoTime = (epochSeconds: unknown) =>
  typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000).toISOString() : String(epochSeconds);

/** Verifies portal-issued JWT access tokens against the embedded JWKS, refreshed by unknown `kid`. */
export class JwtVerifier {
  private readonly allowedAlgorithms: Set<string>;
  private readonly expectedAudiences: string[];
  private fetchedKeys: JSONWebKeySet['keys'] = [];
  private keyResolver: KeyResolver;
  private lastRefreshAtMs = -Infinity;
  private refreshInFlight?: Promise<boolean>;
  private readonly minRefreshIntervalMs: number;

  constructor(
    private readonly settings: TokenSettings,
    private readonly options: JwtVerifierOptions = {},
  ) {
    this.allowedAlgorithms = new Set(settings.algorithms);
    this.expectedAudiences = Array.isArray(settings.audience) ? settings.audience : [settings.audience];
    this.keyResolver = this.buildKeyResolver();
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalidToken('token is not a well-formed JWT');
    }
    const algorithm = String(header.alg);
    if (!this.allowedAlgorithms.has(algorithm)) {
      throw invalidToken(`token algorithm "${algorithm}" is not allowed; expected one of ${this.settings.algorithms.join(', ')}`);
    }

    // RFC 9068: an access token says at+jwt; a plain "JWT" is tolerated, but an ID token or
    // any other kind of JWT from the same issuer is not an access token.
    if (header.typ !== undefined && !ACCESS_TOKEN_TYPES.has(String(header.typ).toLowerCase())) {
      throw invalidToken(`token type "${String(header.typ)}" is not an access token; expected "at+jwt"`);
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (protectedHeader, jws) => this.resolveKey(protectedHeader, jws), {
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockSkewSeconds,
      }));
    } catch (error) {
      throw this.explain(error, header.kid);
    }

    // jose checks exp and nbf; a token issued in the future is as suspect as one not yet valid.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + this.settings.clockSkewSeconds) {
      throw invalidToken(`token was issued in the future (${isoTime(payload.iat)})`);
    }
    if (payload.iss !== this.settings.issuer) {
      throw invalidToken(`token issuer "${payload.iss ?? ''}" is not the expected "${this.settings.issuer}"`);
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud];
    if (!audiences.some((audience) => this.expectedAudiences.includes(audience))) {
      throw invalidToken(
        `token audience "${audiences.join(', ')}" does not include the expected "${this.expectedAudiences.join('" or "')}"`,
      );
    }
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      throw invalidToken(`token claims do not follow the portal's access-token contract (${problems})`);
    }
    return claims.data;
  }

  private buildKeyResolver(): KeyResolver {
    const byKid = new Map<string, JSONWebKeySet['keys'][number]>();
    const unnamed: JSONWebKeySet['keys'] = [];
    for (const key of [...(this.settings.jwks.keys as JSONWebKeySet['keys']), ...this.fetchedKeys]) {
      if (typeof key.kid === 'string') byKid.set(key.kid, key);
      else unnamed.push(key);
    }
    return createLocalJWKSet({ keys: [...byKid.values(), ...unnamed] });
  }

  private async resolveKey(...args: Parameters<KeyResolver>) {
    try {
      return await this.keyResolver(...args);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await this.refreshKeys())) throw error;
      return await this.keyResolver(...args);
    }
  }

  /** Re-reads the issuer's JWKS (key rotation); true when new keys were loaded. */
  private refreshKeys(): Promise<boolean> {
    const jwksUrl = this.settings.jwksUrl;
    if (!jwksUrl) return Promise.resolve(false);
    if (this.refreshInFlight) return this.refreshInFlight;
    if (Date.now() - this.lastRefreshAtMs < this.minRefreshIntervalMs) return Promise.resolve(false);
    this.lastRefreshAtMs = Date.now();
    this.refreshInFlight = (async () => {
      try {
        const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as Partial<JSONWebKeySet>;
        if (!Array.isArray(body.keys)) throw new Error('response has no "keys" array');
        this.fetchedKeys = body.keys;
        this.keyResolver = this.buildKeyResolver();
        this.options.onEvent?.('jwks_refreshed', { jwksUrl, keys: body.keys.length });
        return true;
      } catch (error) {
        this.options.onEvent?.('jwks_refresh_failed', { jwksUrl, reason: (error as Error).message });
        return false;
      } finally {
        this.refreshInFlight = undefined;
      }
    })();
    return this.refreshInFlight;
  }

  private explain(error: unknown, kid: string | undefined): GatewayError {
    if (error instanceof GatewayError) return error;
    if (error instanceof errors.JWTExpired) return invalidToken(`token expired at ${isoTime(error.payload.exp)}`);
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf') return invalidToken(`token is not valid before ${isoTime(error.payload.nbf)}`);
      return invalidToken(`token claim "${error.claim}" is invalid: ${error.reason}`);
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      const refreshed = this.settings.jwksUrl ? ' (checked again at the issuer\'s JWKS URL)' : '';
      return invalidToken(
        kid === undefined
          ? 'token has no key id ("kid") matching a key of the issuer'
          : `token key id "${kid}" is not a key of the issuer${refreshed}`,
      );
    }
    if (error instanceof errors.JWKSMultipleMatchingKeys) return invalidToken('token has no key id ("kid") and several keys match');
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalidToken('token signature is invalid');
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return invalidToken(`token algorithm is not allowed; expected one of ${this.settings.algorithms.join(', ')}`);
    }
    if (error instanceof errors.JOSEError) return invalidToken(`token is not a valid JWT: ${error.message}`);
    return invalidToken('token could not be verified');
  }
}
