import NextAuth from 'next-auth';
import { publicBaseUrl } from '../oauth/issuer';
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
export const { handlers, auth, signIn, signOut } = NextAuth(async (request) => {
  const key = request ? oidcKeyOfAuthPath(new URL(request.url).pathname) : null;
  const provider = key ? await oidcProviderConfig(key) : null;
  return authConfig(provider ? [provider] : []);
});

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
