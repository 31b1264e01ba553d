import NextAuth, { AuthError, CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { db } from '../db/drizzle';
import { clientAddressOfCurrentRequest } from '../http/client-address';
import { derivedKey } from '../secrets';
import { verifyCredentials } from './credentials';

/** Carries "slow down" and how long to the sign-in form; plain CredentialsSignin means "wrong username or password". */
export class SignInThrottled extends CredentialsSignin {
  code = 'throttled';
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
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
      async authorize(input, request) {
        const identifier = typeof input.identifier === 'string' ? input.identifier : '';
        const password = typeof input.password === 'string' ? input.password : '';
        if (!identifier || !password) return null;
        const clientAddress = clientAddressOfCurrentRequest(request.headers);
        const result = await verifyCredentials(await db(), identifier, password, { clientAddress });
        if (result.ok) return { id: result.userId, name: result.displayName };
        if (result.reason === 'throttled') throw new SignInThrottled(result.retryAfterSeconds);
        return null;
      },
    }),
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
