'use client';
import Alert from '@mui/material/Alert';
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
  signedUpAs,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  callbackUrl?: string;
  /** After sign-up: the name to sign in as. Whether it was free is deliberately not known here. */
  signedUpAs?: string;
}) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction} noValidate>
      <Stack spacing={2}>
        <Typography variant="h1">Sign in</Typography>
        {signedUpAs && state.status === 'idle' && (
          <Alert severity="info" data-testid="signed-up-notice">
            If the name {signedUpAs} was free, your account now exists: sign in with it and the password you chose. If the name was already
            taken, no account was created or changed; create one with another name.
          </Alert>
        )}
        <FormMessage state={state} />
        <Field
          name="identifier"
          label="Username"
          state={state}
          autoComplete="username"
          helperText="name, or name@tenant for a tenant's account"
          defaultValue={signedUpAs}
          autoFocus={!signedUpAs}
          required
        />
        <Field name="password" label="Password" type="password" state={state} autoComplete="current-password" autoFocus={!!signedUpAs} required />
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
