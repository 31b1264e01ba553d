'use client';
import Stack from '@mui/material/Stack';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { FormMessage, SubmitButton } from '../forms/fields';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** One "Sign in with <provider>" button per provider of the tenant; each is its own small form. */
export function OidcSignInButtons({ providers, action, callbackUrl }: { providers: { key: string; displayName: string }[]; action: Action; callbackUrl?: string }) {
  if (providers.length === 0) return null;
  return (
    <Stack spacing={1}>
      {providers.map((provider) => (
        <OidcSignInButton key={provider.key} provider={provider} action={action} callbackUrl={callbackUrl} />
      ))}
    </Stack>
  );
}

function OidcSignInButton({ provider, action, callbackUrl }: { provider: { key: string; displayName: string }; action: Action; callbackUrl?: string }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction}>
      <Stack spacing={1}>
        <FormMessage state={state} />
        <input type="hidden" name="provider" value={provider.key} />
        {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
        <SubmitButton variant="outlined" fullWidth>
          Sign in with {provider.displayName}
        </SubmitButton>
      </Stack>
    </form>
  );
}
