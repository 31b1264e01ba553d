'use server';
import { AuthError } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { validatedAction, type ActionState } from '@/lib/actions/validated-action';
import { signIn, signOut, SignInThrottled } from '@/lib/auth/auth';
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
    if (error instanceof AuthError && error.type === 'CredentialsSignin') {
      return { status: 'error', message: 'Wrong username or password.' };
    }
    throw error; // the redirect after a successful sign-in travels as an error
  }
}

export const signInAction = validatedAction({ schema: signInSchema, roles: 'anyone' }, async (input) =>
  signInOrExplain(input.identifier, input.password, input.callbackUrl),
);

/** Always the same next step, whether the name was free or taken: sign in (see signUpDeveloper). */
export const signUpAction = validatedAction({ schema: signUpSchema, roles: 'anyone' }, async (input) => {
  const { identifier } = await signUpDeveloper(input, { clientAddress: clientAddressOfCurrentRequest(await headers()) });
  redirect(`/signin?signedUp=${encodeURIComponent(identifier)}&callbackUrl=${encodeURIComponent('/portal')}`);
});

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/signin' });
}
