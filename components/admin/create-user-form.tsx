'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';
import { RolePicker } from './role-picker';

export function CreateUserForm({ action }: { action: (state: ActionState, formData: FormData) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const echoedRoles = state.values?.roles;
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <Typography variant="h2">Add a user</Typography>
          <FormMessage state={state} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field name="username" label="Username" state={state} required />
            <Field name="displayName" label="Name" state={state} required />
          </Stack>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field name="email" label="Email (optional)" type="email" state={state} />
            <Field name="password" label="Initial password" type="password" state={state} autoComplete="new-password" helperText="At least 10 characters." required />
          </Stack>
          <RolePicker
            key={JSON.stringify(echoedRoles ?? null)}
            defaultRoles={echoedRoles ? [echoedRoles].flat() : ['subscriber']}
            errors={state.fieldErrors?.roles}
          />
          <SubmitButton sx={{ alignSelf: 'start' }}>Add user</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
