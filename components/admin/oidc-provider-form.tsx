'use client';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { OidcProviderSummary } from '@/lib/auth/oidc/oidc-providers.service';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * Adds a provider, or edits one (`provider` given). The client secret is write-only: the page
 * never has it; an empty field on edit keeps the stored one.
 */
export function OidcProviderForm({ action, provider, deleteAction }: { action: Action; provider?: OidcProviderSummary; deleteAction?: Action }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const id = provider?.id ?? 'new';
  const value = (name: keyof OidcProviderSummary, fallback = '') => {
    const echoed = state.values?.[name];
    if (typeof echoed === 'string') return echoed;
    const stored = provider?.[name];
    return typeof stored === 'string' ? stored : fallback;
  };
  const enabledEcho = state.status === 'error' ? state.values?.enabled === 'on' : undefined;
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby={`oidc-${id}-title`}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <Typography variant="h2" id={`oidc-${id}-title`}>
            {provider ? provider.displayName : 'Add an OpenID Connect provider'}
          </Typography>
          {provider && (
            <Typography variant="body2" color="text.secondary" data-testid="oidc-redirect-uri">
              Redirect URI to register with the provider: <code>{provider.redirectUri}</code>
            </Typography>
          )}
          <FormMessage state={state} />
          {provider && <input type="hidden" name="id" value={provider.id} />}
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field id={`oidc-${id}-displayName`} name="displayName" label="Button name" state={state} defaultValue={value('displayName')} helperText='Shown as "Sign in with <name>".' required fullWidth />
            <Field id={`oidc-${id}-issuer`} name="issuer" label="Issuer URL" state={state} defaultValue={value('issuer')} helperText="Its discovery document is read from <issuer>/.well-known/openid-configuration." required fullWidth />
          </Stack>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field id={`oidc-${id}-clientId`} name="clientId" label="Client id" state={state} defaultValue={value('clientId')} required fullWidth />
            <Field
              id={`oidc-${id}-clientSecret`}
              name="clientSecret"
              label={provider ? 'Replace client secret' : 'Client secret'}
              type="password"
              autoComplete="new-password"
              state={state}
              helperText={provider ? 'A secret is set. Leave empty to keep it.' : 'Stored encrypted; never shown again.'}
              required={!provider}
              fullWidth
            />
          </Stack>
          <Field id={`oidc-${id}-scopes`} name="scopes" label="Scopes" state={state} defaultValue={value('scopes', 'openid profile email')} helperText="Separated by spaces; must include openid." fullWidth />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field id={`oidc-${id}-roleClaim`} name="roleClaim" label="Role claim (optional)" state={state} defaultValue={value('roleClaim')} helperText="The ID token claim with groups or roles, e.g. groups." fullWidth />
            <Field
              id={`oidc-${id}-defaultRole`}
              name="defaultRole"
              label="Default role"
              state={state}
              select
              slotProps={{ select: { native: true } }}
              defaultValue={value('defaultRole', 'subscriber')}
              helperText="For people no mapping matches."
              fullWidth
            >
              <option value="subscriber">subscriber</option>
              <option value="publisher">publisher</option>
            </Field>
          </Stack>
          <Field
            id={`oidc-${id}-roleMappings`}
            name="roleMappings"
            label="Role mappings (optional)"
            state={state}
            multiline
            minRows={2}
            defaultValue={typeof state.values?.roleMappings === 'string' ? state.values.roleMappings : (provider?.roleMappings ?? []).map((mapping) => `${mapping.value} = ${mapping.role}`).join('\n')}
            helperText='One "claim value = role" per line, e.g. platform-admins = admin. Roles are set from the claim at every sign-in.'
            fullWidth
          />
          <Field
            id={`oidc-${id}-allowedEmailDomains`}
            name="allowedEmailDomains"
            label="Allowed e-mail domains (optional)"
            state={state}
            defaultValue={typeof state.values?.allowedEmailDomains === 'string' ? state.values.allowedEmailDomains : (provider?.allowedEmailDomains ?? []).join(', ')}
            helperText="Only people with a verified address of these domains sign in. Empty: anyone the provider signs in."
            fullWidth
          />
          <FormControlLabel control={<Checkbox name="enabled" value="on" defaultChecked={enabledEcho ?? provider?.enabled ?? true} />} label="Offer this provider on the sign-in page" />
          <SubmitButton sx={{ alignSelf: 'start' }}>{provider ? 'Save provider' : 'Add provider'}</SubmitButton>
        </Stack>
      </form>
      {provider && deleteAction && <DeleteProviderForm id={provider.id} name={provider.displayName} action={deleteAction} />}
    </Paper>
  );
}

function DeleteProviderForm({ id, name, action }: { id: string; name: string; action: Action }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction}>
      <Stack spacing={1} sx={{ mt: 2 }}>
        <FormMessage state={state} />
        <input type="hidden" name="id" value={id} />
        <SubmitButton sx={{ alignSelf: 'start' }} color="error" variant="outlined" aria-label={`Remove ${name}`}>
          Remove provider
        </SubmitButton>
      </Stack>
    </form>
  );
}
