'use server';
import { AuthError } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { validatedAction, type ActionState } from '@/lib/actions/validated-action';
import { cookies } from 'next/headers';
import { LocalPasswordsOff, signIn, signInWithOidcProvider, signOut, SignInThrottled } from '@/lib/auth/auth';
import { discoverProvider } from '@/lib/auth/oidc/oidc-fetch';
import { oidcProviderConfig } from '@/lib/auth/oidc/oidc-providers.service';
import { SIGN_IN_TENANT_COOKIE } from '@/lib/auth/oidc/oidc-provider-config';
import { describeWait } from '@/lib/auth/sign-in-throttle';
import { clientAddressOfCurrentRequest } from '@/lib/http/client-address';
import { signUpSchema } from '@/lib/users/users.schema';
import { signUpDeveloper } from '@/lib/users/users.service';

const signInSchema = z.object({
  identifier: z.string().trim().min(1, 'Enter your username.').max(320),
  password: z.string().min(1, 'Enter your password.').max(256),
  callbackUrl: z.string().optional(),
});

/** Only same-site paths, so a crafted link cannot send a fresh session elsewhere. */
function safeReturnPath(callbackUrl: string | undefined): string {
  return callbackUrl && callbackUrl.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/';
}

async function signInOrExplain(identifier: string, password: string, callbackUrl: string | undefined): Promise<ActionState> {
  try {
    await signIn('credentials', { identifier, password, redirectTo: safeReturnPath(callbackUrl) });
    return { status: 'success' };
  } catch (error) {
    if (error instanceof SignInThrottled) {
      return { status: 'error', message: `Too many failed sign-ins. Try again in ${describeWait(error.retryAfterSeconds)}.` };
    }
    if (error instanceof LocalPasswordsOff) {
      return { status: 'error', message: 'This organisation signs its people in with its identity provider: use the "Sign in with" button. Local passwords are for administrators only.' };
    }
    if (error instanceof AuthError && error.type === 'CredentialsSignin') {
      return { status: 'error', message: 'Wrong username or password.' };
    }
    throw error; // the redirect after a successful sign-in travels as an error
  }
}

export const signInAction = validatedAction({ schema: signInSchema, roles: 'anyone' }, async (input) =>
  signInOrExplain(input.identifier, input.password, input.callbackUrl),
);

const oidcSignInSchema = z.object({
  provider: z.string().regex(/^oidc-[a-z0-9-]{1,64}$/, 'Choose a sign-in option.'),
  callbackUrl: z.string().max(2048).optional(),
});

/**
 * "Sign in with <provider>": next-auth runs the flow; first a quick look at the provider's
 * discovery document, so an unreachable provider reads as such here rather than as a failed flow.
 */
export const oidcSignInAction = validatedAction({ schema: oidcSignInSchema, roles: 'anyone' }, async (input) => {
  const provider = await oidcProviderConfig(input.provider);
  if (!provider) return { status: 'error', message: 'That sign-in option is no longer offered. Reload the page.' };
  try {
    await discoverProvider(provider.issuer);
  } catch (error) {
    console.warn(`PrivateJet sign-in through ${provider.key} (${provider.tenantDomain}) not started: the provider is unreachable: ${(error as Error).message}`);
    return { status: 'error', message: `${provider.displayName} cannot be reached right now. Try again later; administrators can sign in with their local password.` };
  }
  // Remembered so a failed flow, which next-auth sends back to /signin without it, returns to this tenant's page.
  (await cookies()).set(SIGN_IN_TENANT_COOKIE, provider.tenantDomain, { httpOnly: true, sameSite: 'lax', path: '/signin', maxAge: 60 * 60 });
  try {
    await signInWithOidcProvider(provider.key, safeReturnPath(input.callbackUrl));
  } catch (error) {
    if (error instanceof AuthError) {
      console.warn(`PrivateJet sign-in through ${provider.key} not started: ${error.type}: ${error.message.split('\n')[0]}`);
      return { status: 'error', message: `Sign-in with ${provider.displayName} could not be started. Try again later; administrators can sign in with their local password.` };
    }
    throw error; // the redirect to the provider travels as an error
  }
});

/** Always the same next step, whether the name was free or taken: sign in (see signUpDeveloper). */
export const signUpAction = validatedAction({ schema: signUpSchema, roles: 'anyone' }, async (input) => {
  const { identifier } = await signUpDeveloper(input, { clientAddress: clientAddressOfCurrentRequest(await headers()) });
  redirect(`/signin?signedUp=${encodeURIComponent(identifier)}&callbackUrl=${encodeURIComponent('/portal')}`);
});

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/signin' });
}
