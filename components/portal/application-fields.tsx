'use client';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import type { ActionState } from '@/lib/actions/validated-action';
import { applicationTierValues } from '@/lib/applications/applications.schema';
import { TIERS } from '@/lib/tiers';
import { Field } from '../forms/fields';

/** Name, tier and description: the same fields for creating and editing an application. */
export function ApplicationFields({ state, defaults }: { state: ActionState<unknown>; defaults?: { name: string; tier: string; description: string } }) {
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <Field name="name" label="Application name" state={state} defaultValue={defaults?.name ?? ''} required fullWidth />
        <Field
          name="tier"
          label="Application tier"
          select
          state={state}
          defaultValue={defaults?.tier ?? 'Unlimited'}
          helperText="Recorded with the application. Calls are throttled by the tier of each subscription."
          fullWidth
        >
          {applicationTierValues.map((tier) => (
            <MenuItem key={tier} value={tier}>
              {tier} — {TIERS[tier].description}
            </MenuItem>
          ))}
        </Field>
      </Stack>
      <Field name="description" label="Description (optional)" state={state} defaultValue={defaults?.description ?? ''} multiline minRows={2} fullWidth />
    </Stack>
  );
}
