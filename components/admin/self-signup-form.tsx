'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { FormMessage, SubmitButton } from '../forms/fields';

export function SelfSignupForm({ action, selfSignup }: { action: (state: ActionState, formData: FormData) => Promise<ActionState>; selfSignup: boolean }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction}>
        <Stack spacing={2}>
          <Typography variant="h2">Developer sign-up</Typography>
          <Typography color="text.secondary" data-testid="self-signup-state">
            {selfSignup
              ? 'Open: anyone can create a developer account on this portal. They see its APIs and may subscribe; private APIs still need a publisher’s approval.'
              : 'Closed: only administrators create accounts.'}
          </Typography>
          <FormMessage state={state} />
          <input type="hidden" name="selfSignup" value={selfSignup ? 'off' : 'on'} />
          <SubmitButton sx={{ alignSelf: 'start' }} color={selfSignup ? 'warning' : 'primary'}>
            {selfSignup ? 'Close sign-up' : 'Open sign-up'}
          </SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
