import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { currentActor } from '@/lib/auth/session';
import { homePathFor } from '@/lib/surfaces';
import { signInAction } from '../actions';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; signedUp?: string }> }) {
  const actor = await currentActor();
  if (actor) redirect(homePathFor(actor));
  const { callbackUrl, signedUp } = await searchParams;
  const identifier = signedUp?.slice(0, 320);
  return <SignInForm action={signInAction} callbackUrl={callbackUrl} signedUpAs={identifier} />;
}
