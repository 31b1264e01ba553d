import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims } from './access-token-claims';
import { db, type Database } from '../db/drizzle';
import { accessTokens } from '../db/schema';
import { applicationClaimsFor, scopeTokenPattern } from './access-token-claims';
import { authenticateApplicationClient, clientAuthenticationFailed, type AuthenticatedApplicationClient } from './client-auth';
import { newSecret, sha256Hex } from './credentials';
import { ACCESS_TOKEN_AUDIENCE, issuerUrl } from './issuer';
import { OAuthError } from './oauth-errors';
import { signAccessToken } from './signing-keys';
import { effectiveTokenLifetime } from './token-lifetime';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * PrivateJet has no per-resource scopes: gateways authorize by subscription. `default` is the
 * one scope granted (the name WSO2 clients send), so those clients keep working unchanged.
 * Every token has it, so a token's scope needs no column of its own: introspection states it
 * for any token this server issued.
 */
export const GRANTED_SCOPE = 'default';

/** A request without `scope` gets the predefined default (RFC 6749 §3.3), which is the only scope. */
function grantedScope(requested: string | undefined): string {
  if (requested === undefined) return GRANTED_SCOPE;
  const tokens = requested.split(' ');
  if (tokens.some((token) => !scopeTokenPattern.test(token))) {
    throw new OAuthError('invalid_scope', 'The scope is malformed: use scope names separated by single spaces.');
  }
  const unknown = tokens.filter((token) => token !== GRANTED_SCOPE);
  if (unknown.length > 0) {
    throw new OAuthError('invalid_scope', `Unknown scope "${unknown.join(' ')}": the only scope is "${GRANTED_SCOPE}".`);
  }
  return GRANTED_SCOPE;
}

/**
 * Issues an access token to an already authenticated application key: a signed JWT, or for an
 * OPAQUE key a random value of which only the hash is stored. Every token gets a record (jti)
 * so it can be introspected and revoked. The one code path for all token issuing.
 */
export async function issueAccessToken(
  client: AuthenticatedApplicationClient,
  options: {
    scope?: string;
    now?: Date;
    /** Runs in the transaction that stores the token's record (the portal's button audits the issue there). */
    withRecord?: (tx: Transaction, record: { jti: string; expiresAt: Date }) => Promise<void>;
  } = {},
): Promise<TokenResponse> {
  const scope = grantedScope(options.scope);
  const now = options.now ?? new Date();
  const context = await applicationClaimsFor(client.applicationId);
  if (!context) throw clientAuthenticationFailed();

  const issuedAt = Math.floor(now.getTime() / 1000);
  // A key saved before the platform maximum existed (or lowered) may ask for more: it gets the maximum.
  const lifetimeSeconds = effectiveTokenLifetime(client.tokenValiditySeconds);
  const expiresAtSeconds = issuedAt + lifetimeSeconds;
  const jti = randomUUID();
  const record = {
    jti,
    applicationId: client.applicationId,
    consumerKey: client.consumerKey,
    keyType: client.keyType,
    expiresAt: new Date(expiresAtSeconds * 1000),
    createdAt: new Date(issuedAt * 1000),
  };

  const storeRecord = async (values: typeof accessTokens.$inferInsert) =>
    (await db()).transaction(async (tx) => {
      await tx.insert(accessTokens).values(values);
      await options.withRecord?.(tx, record);
    });

  let accessToken: string;
  if (client.tokenType === 'OPAQUE') {
    accessToken = newSecret();
    await storeRecord({ ...record, tokenType: 'opaque', opaqueTokenHash: sha256Hex(accessToken) });
  } else {
    const claims: AccessTokenClaims = {
      iss: issuerUrl(),
      sub: client.consumerKey,
      aud: ACCESS_TOKEN_AUDIENCE,
      exp: expiresAtSeconds,
      iat: issuedAt,
      nbf: issuedAt,
      jti,
      client_id: client.consumerKey,
      // RFC 9068 §2.2.3: the granted scope, as in the token response.
      scope,
      ...context.claims,
      keytype: client.keyType,
    };
    accessToken = await signAccessToken(claims, now);
    await storeRecord({ ...record, tokenType: 'jwt' });
  }
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: lifetimeSeconds,
    // RFC 6749 §5.1: required when it differs from the request, as it does when none was asked for.
    scope,
  };
}

export interface ClientCredentialsTokenRequest {
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/** The client_credentials grant (RFC 6749 §4.4): the consumer key and secret buy an access token. */
export async function issueClientCredentialsToken(request: ClientCredentialsTokenRequest, now: Date = new Date()): Promise<TokenResponse> {
  const client = await authenticateApplicationClient(request);
  return issueAccessToken(client, { scope: request.scope, now });
}
