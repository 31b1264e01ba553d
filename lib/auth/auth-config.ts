import type { NextAuthConfig } from 'next-auth';
import { AuthError, CredentialsSignin } from '@auth/core/errors';
import Credentials from '@auth/core/providers/credentials';
import { db } from '../db/drizzle';
import { clientAddressOfCurrentRequest } from '../http/client-address';
import { derivedKey } from '../secrets';
import { verifyCredentials } from './credentials';
import { completeOidcSignIn, nextAuthOidcProvider } from './oidc/next-auth-oidc';
import type { OidcProviderConfig } from './oidc/oidc-provider-config';

/** Carries "slow down" and how long to the sign-in form; plain CredentialsSignin means "wrong username or password". */
export class SignInThrottled extends CredentialsSignin {
  code = 'throttled';
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

/** The right password of a non-admin in a tenant that signs its people in with its identity provider. */
export class LocalPasswordsOff extends CredentialsSignin {
  code = 'local_passwords_off';
}

/** Where a refused OpenID sign-in lands: the tenant's sign-in page, with why. */
export function oidcRefusalPath(tenantDomain: string, reason: string): string {
  return `/signin?${new URLSearchParams({ tenant: tenantDomain, oidc: reason })}`;
}

/**
 * The one next-auth configuration, with the OpenID providers a request needs (./auth builds it
 * per request: a tenant's providers live in the database). Sessions are signed JWT cookies; the
 * user and roles are re-read from the database on every request (./session).
 */
export function authConfig(oidcProviders: readonly OidcProviderConfig[]): NextAuthConfig {
  return {
    secret: process.env.AUTH_SECRET ?? derivedKey('auth-session').toString('base64url'),
    basePath: '/api/auth',
    trustHost: true,
    session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
    // Errors of a provider's flow land on the sign-in page too, which explains them (app/(auth)/signin).
    pages: { signIn: '/signin', error: '/signin' },
    providers: [
      Credentials({
        credentials: { identifier: {}, password: {} },
        async authorize(input, request) {
          const identifier = typeof input.identifier === 'string' ? input.identifier : '';
          const password = typeof input.password === 'string' ? input.password : '';
          if (!identifier || !password) return null;
          const clientAddress = clientAddressOfCurrentRequest(request.headers);
          const result = await verifyCredentials(await db(), identifier, password, { clientAddress });
          if (result.ok) return { id: result.userId, name: result.displayName };
          if (result.reason === 'throttled') throw new SignInThrottled(result.retryAfterSeconds);
          if (result.reason === 'local_passwords_off') throw new LocalPasswordsOff();
          return null;
        },
      }),
      ...oidcProviders.map(nextAuthOidcProvider),
    ],
    logger: {
      // A refused sign-in is logged once, as one line, by verifyCredentials; anything else in one line too.
      error(error) {
        if (error instanceof CredentialsSignin) return;
        const cause = error.cause instanceof Error ? error.cause : (error.cause as { err?: unknown } | undefined)?.err;
        const name = error instanceof AuthError ? error.type : error.name;
        console.error(`PrivateJet sign-in error: ${name}: ${error.message.split('\n')[0]}${cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : ''}`);
      },
    },
    callbacks: {
      async signIn({ user, account }) {
        if (account?.type !== 'oidc') return true;
        const provider = oidcProviders.find((candidate) => candidate.key === account.provider);
        if (!provider) return false;
        const outcome = await completeOidcSignIn(await db(), provider, account.id_token);
        if (!outcome.ok) return oidcRefusalPath(provider.tenantDomain, outcome.reason);
        // next-auth hands this same object to the jwt callback: the session names our user, not the provider's subject.
        user.id = outcome.userId;
        return true;
      },
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
}
