import Alert from '@mui/material/Alert';
import type { Metadata } from 'next';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { SUPER_TENANT } from '@/lib/super-tenant';
import { listPortalTenants } from '@/lib/tenants/tenants.service';
import { signUpAction } from '../actions';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ tenant?: string }> }) {
  const { tenant } = await searchParams;
  const all = await listPortalTenants();
  const open = all.filter((t) => t.selfSignup);
  const requested = all.find((t) => t.domain === tenant);
  if (open.length === 0 || (requested && !requested.selfSignup)) {
    return <Alert severity="info">Sign-up is closed on this portal. Ask an administrator for an account.</Alert>;
  }
  const defaultTenant = open.find((t) => t.domain === tenant)?.domain ?? open.find((t) => t.domain === SUPER_TENANT)?.domain ?? open[0]!.domain;
  return <SignUpForm action={signUpAction} tenants={open} defaultTenant={defaultTenant} />;
}
