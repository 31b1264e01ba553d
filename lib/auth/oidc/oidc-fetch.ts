import { fetchOutbound, outboundPolicyFromEnv } from '../../net/outbound-fetch';

/**
 * How the server talks to an OpenID provider (discovery, token, JWKS): the platform's outbound
 * policy like every other fetch of an address someone typed, so an admin of one tenant cannot
 * point "their provider" at loopback, cloud metadata or the platform's private networks
 * (PRIVATEJET_OUTBOUND_ALLOW lets the platform allow an in-house provider there).
 * Answers are small JSON documents; 10 s covers a slow provider, not a hanging one.
 */
export const OIDC_FETCH_LIMITS = { maxBytes: 512 * 1024, timeoutMs: 10_000 } as const;

export function oidcFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return fetchOutbound(input, init, { ...OIDC_FETCH_LIMITS, policy: outboundPolicyFromEnv() });
}

/** The provider's discovery document, fetched under the policy; throws when it is unreachable or not one. */
export async function discoverProvider(issuer: string): Promise<{ issuer: string; jwks_uri: string; authorization_endpoint: string }> {
  const url = new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const response = await oidcFetch(url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
  const document = (await response.json()) as Record<string, unknown>;
  if (document.issuer !== issuer) throw new Error(`discovery names issuer ${String(document.issuer)}, not ${issuer}`);
  if (typeof document.jwks_uri !== 'string' || typeof document.authorization_endpoint !== 'string') throw new Error('discovery lacks jwks_uri or authorization_endpoint');
  return { issuer, jwks_uri: document.jwks_uri, authorization_endpoint: document.authorization_endpoint };
}
