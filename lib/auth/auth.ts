import { Auth } from '@auth/core';
import NextAuth from 'next-auth';
import { publicBaseUrl } from '../env';
import { authConfig } from './auth-config';
import { oidcKeyOfAuthPath } from './oidc/next-auth-oidc';
import { oidcProviderConfig } from './oidc/oidc-providers.service';

export { LocalPasswordsOff, SignInThrottled } from './auth-config';

// next-auth builds its URLs (a provider's redirect URI, redirects after sign-in) from the request,
// and Next.js hands server code its own host name (localhost), not the one people use: AUTH_URL,
// next-auth's own setting, pins them to the portal's public URL, the one the admin page shows.
process.env.AUTH_URL ??= `${publicBaseUrl()}/api/auth`;

/**
 * next-auth is used only here and in ./session; the rest of the app sees `Actor`.
 * The configuration is built per request: a request for `/api/auth/{signin,callback}/oidc-…`
 * gets that one OpenID provider from the database (or deployment.toml); every other request,
 * reading a session included, gets local passwords only and costs no provider lookup.
 */
export const { auth, signIn, signOut } = NextAuth(async (request) => configForAuthRoute(request ? new URL(request.url).pathname : null));

async function configForAuthRoute(pathname: string | null) {
  const key = pathname ? oidcKeyOfAuthPath(pathname) : null;
  const provider = key ? await oidcProviderConfig(key) : null;
  return authConfig(provider ? [provider] : []);
}

/**
 * The auth route (`/api/auth/…`): next-auth's core, handed the request at the portal's public URL
 * as a plain Request. next-auth's own route handlers apply AUTH_URL by building a NextRequest,
 * and Next.js rewrites a loopback IP in a NextRequest's URL to "localhost": with a public URL such
 * as http://127.0.0.1:3100 the provider's callback then redirected the browser to
 * http://localhost:3100, a host where it has no session cookie.
 */
export async function authRoute(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const atPublicUrl = new URL(`${url.pathname}${url.search}`, publicBaseUrl());
  const body = request.method === 'POST' ? await request.arrayBuffer() : undefined;
  return Auth(new Request(atPublicUrl, { method: request.method, headers: request.headers, body }), await configForAuthRoute(url.pathname));
}

/**
 * Starts the authorization code flow with one provider (next-auth sets the state, PKCE and
 * nonce cookies and answers with the provider's authorization URL, as a redirect).
 * Returns false when no enabled provider has that key.
 */
export async function signInWithOidcProvider(key: string, redirectTo: string): Promise<false> {
  const provider = await oidcProviderConfig(key);
  if (!provider) return false;
  await NextAuth(authConfig([provider])).signIn(key, { redirectTo });
  return false; // not reached: signIn redirects
}
