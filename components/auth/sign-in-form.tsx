'use client';
import Alert from '@mui/material/Alert';
import Divider from '@mui/material/Divider';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import NextLink from 'next/link';
import { useActionState, type ReactNode } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

export function SignInForm({
  action,
  callbackUrl,
  signedUpAs,
  usernameHint,
  providerButtons,
  notice,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  callbackUrl?: string;
  /** After sign-up: the name to sign in as. Whether it was free is deliberately not known here. */
  signedUpAs?: string;
  /** How to spell the username for the tenant being signed into. */
  usernameHint?: string;
  /** The tenant's "Sign in with <provider>" buttons, shown above the password form. */
  providerButtons?: ReactNode;
  /** Why the last sign-in through a provider did not complete. */
  notice?: string;
}) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Stack spacing={2}>
      <Typography variant="h1">Sign in</Typography>
      {notice && state.status === 'idle' && (
        <Alert severity="error" role="alert" data-testid="sign-in-notice">
          {notice}
        </Alert>
      )}
      {providerButtons}
      {providerButtons && <Divider>or with a password</Divider>}
      <form action={formAction} noValidate>
        <Stack spacing={2}>
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
            helperText={usernameHint ?? "name, or name@tenant for a tenant's account"}
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
    </Stack>
  );
}
