'use client';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import NextLink from 'next/link';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

export function SignUpForm({
  action,
  tenants,
  defaultTenant,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  tenants: { domain: string; displayName: string }[];
  defaultTenant: string;
}) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction} noValidate>
      <Stack spacing={2}>
        <Typography variant="h1">Create a developer account</Typography>
        <Typography color="text.secondary">
          Developers browse the portal, create applications, subscribe to APIs and call them.
        </Typography>
        <FormMessage state={state} />
        {tenants.length > 1 && (
          <Field name="tenant" label="Portal" select state={state} defaultValue={defaultTenant}>
            {tenants.map((tenant) => (
              <MenuItem key={tenant.domain} value={tenant.domain}>
                {tenant.displayName} ({tenant.domain})
              </MenuItem>
            ))}
          </Field>
        )}
        {tenants.length === 1 && <input type="hidden" name="tenant" value={tenants[0]!.domain} />}
        <Field name="username" label="Username" state={state} autoComplete="username" required />
        <Field name="displayName" label="Your name" state={state} autoComplete="name" required />
        <Field name="email" label="Email (optional)" type="email" state={state} autoComplete="email" />
        <Field name="password" label="Password" type="password" state={state} autoComplete="new-password" helperText="At least 10 characters." required />
        <Field name="confirmPassword" label="Repeat password" type="password" state={state} autoComplete="new-password" required />
        <SubmitButton>Create account</SubmitButton>
        <Typography variant="body2">
          Already have an account?{' '}
          <Link component={NextLink} href="/signin">
            Sign in
          </Link>
        </Typography>
      </Stack>
    </form>
  );
}
