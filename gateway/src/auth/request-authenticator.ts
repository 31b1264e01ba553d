import { BoundedExpiringCache } from '../bounded-cache';
import { apiBasePath, type GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import { BasicAuthenticator } from './basic-authenticator';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';
import { OpaqueTokenIntrospector } from './opaque-token-introspector';
import { ANONYMOUS_PRINCIPAL, principalFromClaims, type Principal } from './principal';

export interface RequestAuthenticatorOptions extends JwtVerifierOptions {
  /** The OAuth2 client secret, already read from `clientSecretFile` when the config names one. */
  oauth2ClientSecret?: string;
  onEvent?: (event: string, details: Record<string, unknown>) => void;
}

// A verified JWT's decision is reused for this long at most (and never past the token's exp):
// signature checks are the most expensive step of a request.
const VERIFIED_JWT_CACHE_MS = 2 * 60_000;

/** Decides who is calling from the Authorization header, using the schemes the config enables. */
export class RequestAuthenticator {
  private readonly jwtVerifier?: JwtVerifier;
  private readonly introspector?: OpaqueTokenIntrospector;
  private readonly basic?: BasicAuthenticator;
  private readonly verifiedJwts = new BoundedExpiringCache<Principal | GatewayError>(10_000);
  private readonly realm: string;
  readonly anySchemeEnabled: boolean;

  constructor(
    private readonly config: GatewayConfig,
    options: RequestAuthenticatorOptions = {},
  ) {
    const { security, tokens } = config;
    if (security.jwt.enabled) this.jwtVerifier = new JwtVerifier(tokens, options);
    if (security.oauth2?.enabled) {
      this.introspector = new OpaqueTokenIntrospector(
        security.oauth2,
        options.oauth2ClientSecret ?? security.oauth2.clientSecret ?? '',
        tokens.issuer,
        tokens.clockSkewSeconds,
        options.onEvent,
      );
    }
    if (security.basic?.enabled) this.basic = new BasicAuthenticator(security.basic, config);
    this.anySchemeEnabled = Boolean(this.jwtVerifier || this.introspector || this.basic);
    this.realm = apiBasePath(config);
  }

  /** Returns the principal synchronously when the answer is cached, so the hot path skips a promise. */
  authenticate(authorization: string | undefined): Principal | Promise<Principal> {
    if (!this.anySchemeEnabled) return ANONYMOUS_PRINCIPAL;
    if (!authorization) throw this.unauthorized('missing_credentials', `this API needs credentials: ${this.acceptedSchemesText()}`);

    const space = authorization.indexOf(' ');
    const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
    const credentials = space < 0 ? '' : authorization.slice(space + 1).trim();

    if (scheme === 'bearer' && credentials && (this.jwtVerifier || this.introspector)) {
      const looksLikeJwt = credentials.split('.').length === 3;
      if (this.jwtVerifier && (looksLikeJwt || !this.introspector)) return this.authenticateJwt(credentials);
      return this.authenticateOpaque(credentials);
    }
    if (scheme === 'basic' && credentials && this.basic) {
      return this.basic.authenticate(credentials).catch((error: unknown) => {
        throw error instanceof GatewayError && error.status === 401 ? this.withChallenge(error) : error;
      });
    }
    throw this.unauthorized('missing_credentials', `the Authorization header is not accepted here; expected ${this.acceptedSchemesText()}`);
  }

  private authenticateJwt(token: string): Principal | Promise<Principal> {
    const cached = this.verifiedJwts.get(token);
    if (cached !== undefined) {
      if (cached instanceof GatewayError) throw cached;
      return cached;
    }
    return this.jwtVerifier!.verify(token).then(
      (claims) => {
        const expiresAtMs = Math.min(claims.exp * 1000, Date.now() + VERIFIED_JWT_CACHE_MS);
        try {
          const principal = principalFromClaims(claims, this.config);
          this.verifiedJwts.set(token, principal, expiresAtMs);
          return principal;
        } catch (error) {
          if (error instanceof GatewayError) this.verifiedJwts.set(token, error, expiresAtMs);
          throw error;
        }
      },
      (error: unknown) => {
        throw error instanceof GatewayError && error.status === 401 ? this.withChallenge(error) : error;
      },
    );
  }

  private async authenticateOpaque(token: string): Promise<Principal> {
    try {
      return principalFromClaims(await this.introspector!.introspect(token), this.config);
    } catch (error) {
      throw error instanceof GatewayError && error.status === 401 ? this.withChallenge(error) : error;
    }
  }

  private acceptedSchemesText(): string {
    const schemes: string[] = [];
    if (this.jwtVerifier || this.introspector) schemes.push('"Authorization: Bearer <access token>"');
    if (this.basic) schemes.push('"Authorization: Basic <base64 user:password>"');
    return schemes.join(' or ');
  }

  private unauthorized(code: 'missing_credentials', message: string): GatewayError {
    return this.withChallenge(new GatewayError(401, code, message));
  }

  /** Adds RFC 6750 / RFC 7617 challenges for every enabled scheme. */
  private withChallenge(error: GatewayError): GatewayError {
    const realm = `realm="${this.realm}"`;
    const challenges: string[] = [];
    if (this.jwtVerifier || this.introspector) {
      challenges.push(
        error.code === 'invalid_token'
          ? `Bearer ${realm}, error="invalid_token", error_description="${headerSafe(error.message)}"`
          : `Bearer ${realm}`,
      );
    }
    if (this.basic) challenges.push(`Basic ${realm}, charset="UTF-8"`);
    return new GatewayError(error.status, error.code, error.message, { ...error.headers, 'www-authenticate': challenges });
  }
}

/** Token-supplied text goes into a quoted header value: keep it printable ASCII and escaped. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
}
