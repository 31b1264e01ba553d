'use client';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import NextLink from 'next/link';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

export function SignInForm({
  action,
  callbackUrl,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  callbackUrl?: string;
}) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction} noValidate>
      <Stack spacing={2}>
        <Typography variant="h1">Sign in</Typography>
        <FormMessage state={state} />
        <Field
          name="identifier"
          label="Username"
          state={state}
          autoComplete="username"
          helperText="name, or name@tenant for a tenant's account"
          autoFocus
          required
        />
        <Field name="password" label="Password" type="password" state={state} autoComplete="current-password" required />
        {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
        <SubmitButton>Sign in</SubmitButton>
        <Typography variant="body2">
          New developer?{' '}
          <Link component={NextLink} href="/signup">
            Create an account
          </Link>
        </Typography>
      </Stack>
    </form>
  );
}
