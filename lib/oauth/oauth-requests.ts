import { clientCredentialsFrom, type ClientCredentials } from './client-auth';
import { OAuthError } from './oauth-errors';
import { readOAuthForm, requiredParameter } from './oauth-form';
import type { ClientCredentialsTokenRequest } from './token.service';

/**
 * The three OAuth endpoints' request parsing, so each route handler is parse → one call →
 * response. Every check here is about the request's shape; credentials are checked later.
 */

export async function parseTokenRequest(request: Request): Promise<ClientCredentialsTokenRequest> {
  const form = await readOAuthForm(request);
  const grantType = requiredParameter(form, 'grant_type');
  if (grantType !== 'client_credentials') {
    throw new OAuthError('unsupported_grant_type', `The grant type "${grantType}" is not supported; use client_credentials.`);
  }
  const { clientId, clientSecret } = clientCredentialsFrom(request.headers.get('authorization'), form);
  const scope = form.get('scope');
  return { clientId, clientSecret, ...(scope !== undefined ? { scope } : {}) };
}

export interface TokenOperationRequest {
  /** The token to introspect or revoke; `token_type_hint` is optional and not needed to find it. */
  token: string;
  client: ClientCredentials;
}

/** RFC 7662 §2.1 and RFC 7009 §2.1 requests have the same shape. */
export async function parseTokenOperationRequest(request: Request): Promise<TokenOperationRequest> {
  const form = await readOAuthForm(request);
  const client = clientCredentialsFrom(request.headers.get('authorization'), form);
  return { token: requiredParameter(form, 'token'), client };
}
