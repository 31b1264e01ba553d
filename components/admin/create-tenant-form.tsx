'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

export function CreateTenantForm({ action }: { action: (state: ActionState, formData: FormData) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <Typography variant="h2">Create a tenant</Typography>
          <FormMessage state={state} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field name="domain" label="Domain" placeholder="example.com" state={state} required />
            <Field name="displayName" label="Name" state={state} required />
          </Stack>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field name="adminUsername" label="First admin's username" state={state} required />
            <Field name="adminPassword" label="First admin's password" type="password" autoComplete="new-password" state={state} required />
          </Stack>
          <SubmitButton sx={{ alignSelf: 'start' }}>Create tenant</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
