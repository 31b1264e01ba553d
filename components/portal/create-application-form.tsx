'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { FormMessage, SubmitButton } from '../forms/fields';
import { ApplicationFields } from './application-fields';

export function CreateApplicationForm({ action }: { action: (state: ActionState, formData: FormData) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="create-application-heading">
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <Typography variant="h2" id="create-application-heading">
            Create an application
          </Typography>
          <Typography color="text.secondary">An application holds your keys and access tokens, and is what you subscribe to APIs.</Typography>
          <FormMessage state={state} />
          <ApplicationFields state={state} />
          <SubmitButton sx={{ alignSelf: 'start' }}>Create application</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
