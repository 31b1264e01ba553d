import { eq } from 'drizzle-orm';
import { db } from '../db/drizzle';
import { applicationKeys, applications, users } from '../db/schema';
import { type KeyType } from '../key-types';
import { matchesSha256Hex } from './credentials';
import { OAuthError } from './oauth-errors';
import type { OAuthForm } from './oauth-form';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: ClientAuthMethod;
}

const decodeFormComponent = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

function credentialsFromBasic(authorization: string): ClientCredentials {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (!match) throw new OAuthError('invalid_request', 'The Authorization header is not well-formed Basic credentials.');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new OAuthError('invalid_request', 'The Basic credentials have no ":" between client id and secret.');
  try {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they go into the Basic header.
    return {
      clientId: decodeFormComponent(decoded.slice(0, colon)),
      clientSecret: decodeFormComponent(decoded.slice(colon + 1)),
      method: 'client_secret_basic',
    };
  } catch {
    throw new OAuthError('invalid_request', 'The Basic credentials are not valid form-urlencoded text.');
  }
}

/**
 * The client's credentials, from the Basic Authorization header or the client_id/client_secret
 * form fields. A request may use only one method (RFC 6749 §2.3).
 */
export function clientCredentialsFrom(authorization: string | null, form: OAuthForm): ClientCredentials {
  const formId = form.get('client_id');
  const formSecret = form.get('client_secret');
  if (authorization) {
    if (!/^Basic\s/i.test(authorization)) {
      throw new OAuthError('invalid_client', 'Authenticate the client with HTTP Basic or with client_id and client_secret.');
    }
    const basic = credentialsFromBasic(authorization);
    // A client_id beside Basic is tolerated when it names the same client; a secret is a second method.
    if (formSecret !== undefined || (formId !== undefined && formId !== basic.clientId)) {
      throw new OAuthError('invalid_request', 'Use either the Authorization header or client_id/client_secret, not both.');
    }
    return basic;
  }
  if (formId === undefined || formSecret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required: send the consumer key and secret.');
  }
  return { clientId: formId, clientSecret: formSecret, method: 'client_secret_post' };
}

export interface AuthenticatedApplicationClient {
  applicationId: string;
  tenantId: string;
  consumerKey: string;
  tokenValiditySeconds: number;
  tokenType: 'JWT' | 'OPAQUE';
  keyType: KeyType;
}

export const clientAuthenticationFailed = () =>
  new OAuthError('invalid_client', 'Client authentication failed: unknown consumer key or wrong secret.');

export type PresentedCredentials = Pick<ClientCredentials, 'clientId' | 'clientSecret'>;

/** Finds the application key of these credentials, or null; the secret is checked in constant time. */
export async function findApplicationClient(credentials: PresentedCredentials): Promise<AuthenticatedApplicationClient | null> {
  const [row] = await (await db())
    .select({
      applicationId: applications.id,
      tenantId: applications.tenantId,
      consumerKey: applicationKeys.consumerKey,
      consumerSecretHash: applicationKeys.consumerSecretHash,
      tokenValiditySeconds: applicationKeys.tokenValiditySeconds,
      tokenType: applicationKeys.tokenType,
      keyType: applicationKeys.keyType,
      ownerDisabled: users.disabled,
    })
    .from(applicationKeys)
    .innerJoin(applications, eq(applications.id, applicationKeys.applicationId))
    .innerJoin(users, eq(users.id, applications.ownerId))
    .where(eq(applicationKeys.consumerKey, credentials.clientId));
  if (!row || !matchesSha256Hex(credentials.clientSecret, row.consumerSecretHash) || row.ownerDisabled) return null;
  const { consumerSecretHash: _hash, ownerDisabled: _disabled, ...client } = row;
  return client;
}

export async function authenticateApplicationClient(credentials: PresentedCredentials): Promise<AuthenticatedApplicationClient> {
  const client = await findApplicationClient(credentials);
  if (!client) throw clientAuthenticationFailed();
  return client;
}
