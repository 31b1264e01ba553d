import { clientCredentialsFrom, type ClientCredentials } from './client-auth';
import { OAuthError } from './oauth-errors';
import { readOAuthForm, requiredParameter } from './oauth-form';
import type { ClientCredentialsTokenRequest } from './token.service';

/**
 * The three OAuth endpoints' request parsing, so each route handler is parse → one call →
 * response. Every check here is about the request's shape; credentials are checked later.
 */

export async function parseTokenRequest(request: Request): Promise<ClientCredentialsTokenRequest> {
  // RFC 8707 §2 lets `resource` repeat, one per resource; any number of them is refused below.
  const form = await readOAuthForm(request, { repeatable: ['resource'] });
  const grantType = requiredParameter(form, 'grant_type');
  if (grantType !== 'client_credentials') {
    throw new OAuthError('unsupported_grant_type', `The grant type "${grantType}" is not supported; use client_credentials.`);
  }
  if (form.has('resource')) {
    // Refused rather than ignored: a client that asks for a token restricted to one resource
    // must not get one that works at every gateway the application is subscribed to.
    throw new OAuthError(
      'invalid_target',
      'Resource indicators (RFC 8707) are not supported: a token is not restricted to one API, it works at the gateways of every API the application is subscribed to. Send the request without "resource".',
    );
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
