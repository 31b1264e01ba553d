import { BoundedExpiringCache } from '../bounded-cache';
import type { GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import { introspectionResponseSchema, type SubscriptionClaims } from '../token-claims';

type OAuth2Settings = NonNullable<GatewayConfig['security']['oauth2']>;

type IntrospectionOutcome = { claims: SubscriptionClaims } | { error: GatewayError };

// Inactive answers are remembered briefly so a client retrying a revoked token cannot turn the
// gateway into a load generator against the authorization server.
const INACTIVE_CACHE_MS = 10_000;

/** Validates opaque OAuth2 access tokens by RFC 7662 introspection, caching answers until expiry. */
export class OpaqueTokenIntrospector {
  private readonly cache: BoundedExpiringCache<IntrospectionOutcome>;
  private readonly inFlight = new Map<string, Promise<IntrospectionOutcome>>();
  private readonly authorization: string;

  constructor(
    private readonly settings: OAuth2Settings,
    clientSecret: string,
    private readonly expectedIssuer: string,
    private readonly clockSkewSeconds: number,
    private readonly onEvent?: (event: string, details: Record<string, unknown>) => void,
    cacheEntries = 10_000,
  ) {
    this.cache = new BoundedExpiringCache(cacheEntries);
    this.authorization = `Basic ${Buffer.from(`${encodeURIComponent(settings.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  }

  async introspect(token: string): Promise<SubscriptionClaims> {
    let outcome = this.cache.get(token);
    if (!outcome) {
      let pending = this.inFlight.get(token);
      if (!pending) {
        pending = this.ask(token).finally(() => this.inFlight.delete(token));
        this.inFlight.set(token, pending);
      }
      outcome = await pending;
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.claims;
  }

  private async ask(token: string): Promise<IntrospectionOutcome> {
    let body: unknown;
    try {
      const response = await fetch(this.settings.introspectionUrl, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      this.onEvent?.('introspection_failed', { url: this.settings.introspectionUrl, reason: (error as Error).message });
      // Not cached: the next request tries again.
      return { error: new GatewayError(503, 'service_unavailable', 'the token introspection service is unavailable; try again') };
    }

    const parsed = introspectionResponseSchema.safeParse(body);
    const nowMs = Date.now();
    if (!parsed.success) {
      this.onEvent?.('introspection_unreadable', { problems: parsed.error.issues.map((issue) => issue.message) });
      return { error: new GatewayError(503, 'service_unavailable', 'the token introspection service gave an unreadable answer') };
    }
    const answer = parsed.data;
    if (!answer.active) {
      const outcome = { error: new GatewayError(401, 'invalid_token', 'token is not active (revoked, expired or unknown to the issuer)') };
      this.cache.set(token, outcome, nowMs + INACTIVE_CACHE_MS);
      return outcome;
    }
    if (answer.exp * 1000 + this.clockSkewSeconds * 1000 <= nowMs) {
      return { error: new GatewayError(401, 'invalid_token', `token expired at ${new Date(answer.exp * 1000).toISOString()}`) };
    }
    if (answer.iss !== undefined && answer.iss !== this.expectedIssuer) {
      return { error: new GatewayError(401, 'invalid_token', `token issuer "${answer.iss}" is not the expected "${this.expectedIssuer}"`) };
    }
    const outcome = { claims: answer };
    this.cache.set(token, outcome, Math.min(answer.exp * 1000, nowMs + this.settings.maxCacheSeconds * 1000));
    return outcome;
  }
}
