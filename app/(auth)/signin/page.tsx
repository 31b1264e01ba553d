import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { OidcSignInButtons } from '@/components/auth/oidc-sign-in-buttons';
import { SignInForm } from '@/components/auth/sign-in-form';
import { tenantDomainSchema } from '@/lib/auth/identity';
import { SUPER_TENANT } from '@/lib/super-tenant';
import { SIGN_IN_TENANT_COOKIE } from '@/lib/auth/oidc/oidc-provider-config';
import { signInOptionsFor } from '@/lib/auth/oidc/oidc-providers.service';
import { currentActor } from '@/lib/auth/session';
import { homePathFor } from '@/lib/surfaces';
import { oidcSignInAction, signInAction } from '../actions';

export const metadata: Metadata = { title: 'Sign in' };

/** Our own refusals (auth-config's oidcRefusalPath), then next-auth's error types. */
const OIDC_NOTICES: Record<string, string> = {
  domain: 'Your e-mail address is not of a domain this organisation lets sign in. Ask its administrator.',
  disabled: 'Your account here is disabled. Ask an administrator.',
  token: 'The identity provider’s answer could not be verified, so you were not signed in. Try again; if it keeps happening, tell an administrator.',
  unreachable: 'The identity provider cannot be reached right now. Try again later; administrators can sign in with their local password.',
};
const FLOW_FAILED =
  'Sign-in with the identity provider did not complete: it was cancelled, took too long, or its answer could not be verified. Try again; administrators can sign in with their local password.';

function tenantToShow(requested: string | undefined, remembered: string | undefined): string {
  for (const candidate of [requested, remembered]) {
    if (candidate === SUPER_TENANT) return candidate;
    const parsed = tenantDomainSchema.safeParse(candidate ?? '');
    if (parsed.success) return parsed.data;
  }
  return SUPER_TENANT;
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; signedUp?: string; tenant?: string; oidc?: string; error?: string }>;
}) {
  const actor = await currentActor();
  if (actor) redirect(homePathFor(actor));
  const { callbackUrl, signedUp, tenant, oidc, error } = await searchParams;
  const identifier = signedUp?.slice(0, 320);
  const tenantDomain = tenantToShow(tenant, (await cookies()).get(SIGN_IN_TENANT_COOKIE)?.value);
  const options = await signInOptionsFor(tenantDomain);
  const notice = oidc ? (OIDC_NOTICES[oidc] ?? FLOW_FAILED) : error && error !== 'CredentialsSignin' ? FLOW_FAILED : undefined;
  return (
    <SignInForm
      action={signInAction}
      callbackUrl={callbackUrl}
      signedUpAs={identifier}
      notice={notice}
      usernameHint={tenantDomain === SUPER_TENANT ? undefined : `name@${tenantDomain}`}
      providerButtons={options.providers.length > 0 ? <OidcSignInButtons providers={options.providers} action={oidcSignInAction} callbackUrl={callbackUrl} /> : undefined}
    />
  );
}
