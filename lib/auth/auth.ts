import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { db } from '../db/drizzle';
import { derivedKey } from '../secrets';
import { verifyCredentials } from './credentials';

/** Carries "slow down" to the sign-in form; plain CredentialsSignin means "wrong username or password". */
export class SignInThrottled extends CredentialsSignin {
  code = 'throttled';
}

/**
 * next-auth is used only here and in ./session; the rest of the app sees `Actor`.
 * Sessions are signed JWT cookies; the user and roles are re-read from the database
 * on every request (./session), so a disabled user or a changed role takes effect at once.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: process.env.AUTH_SECRET ?? derivedKey('auth-session').toString('base64url'),
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  pages: { signIn: '/signin' },
  providers: [
    Credentials({
      credentials: { identifier: {}, password: {} },
      async authorize(input) {
        const identifier = typeof input.identifier === 'string' ? input.identifier : '';
        const password = typeof input.password === 'string' ? input.password : '';
        if (!identifier || !password) return null;
        const result = await verifyCredentials(await db(), identifier, password);
        if (result.ok) return { id: result.userId, name: result.displayName };
        if (result.reason === 'throttled') {
          const error = new SignInThrottled();
          error.message = String(result.retryAfterSeconds);
          throw error;
        }
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
