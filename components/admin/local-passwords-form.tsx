'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { FormMessage, SubmitButton } from '../forms/fields';

/** The tenant's switch between "everyone may use a local password" and "admins only" (break-glass). */
export function LocalPasswordsForm({ action, adminsOnly }: { action: (state: ActionState, formData: FormData) => Promise<ActionState>; adminsOnly: boolean }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction}>
        <Stack spacing={2}>
          <Typography variant="h2">Local passwords</Typography>
          <Typography color="text.secondary" data-testid="local-passwords-state">
            {adminsOnly
              ? 'Administrators only: everyone else signs in with an OpenID provider. Local administrator accounts always can, so the tenant stays reachable when the provider is down.'
              : 'Everyone with a local account may sign in with its password.'}
          </Typography>
          <FormMessage state={state} />
          <input type="hidden" name="adminsOnly" value={adminsOnly ? 'off' : 'on'} />
          <SubmitButton sx={{ alignSelf: 'start' }} color={adminsOnly ? 'primary' : 'warning'}>
            {adminsOnly ? 'Allow local passwords for everyone' : 'Local passwords for administrators only'}
          </SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
