'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useActionState, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { KeyType } from '@/lib/key-types';
import { DEFAULT_TOKEN_VALIDITY_SECONDS, MIN_TOKEN_VALIDITY_SECONDS } from '@/lib/oauth/token-lifetime';
import { describeDuration } from '@/lib/durations';
import { Field, FormMessage, SubmitButton } from '../forms/fields';
import { CopyButton } from './copy-button';

export interface Credentials {
  consumerKey: string;
  consumerSecret: string;
}

const KEY_TYPE_NAMES: Record<KeyType, string> = { PRODUCTION: 'Production', SANDBOX: 'Sandbox' };

export interface ApplicationKeyView {
  consumerKey: string;
  tokenValiditySeconds: number;
  tokenType: 'JWT' | 'OPAQUE';
}

type FormAction<T = undefined> = (state: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;

function KeySettingsFields({ state, defaults, maxValiditySeconds }: { state: ActionState<unknown>; defaults?: ApplicationKeyView; maxValiditySeconds: number }) {
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
      <Field
        name="tokenValiditySeconds"
        label="Token validity (seconds)"
        type="number"
        state={state}
        defaultValue={defaults?.tokenValiditySeconds ?? Math.min(DEFAULT_TOKEN_VALIDITY_SECONDS, maxValiditySeconds)}
        helperText={`How long each access token works, at most ${maxValiditySeconds} seconds (${describeDuration(maxValiditySeconds)}) on this platform. It is also the longest a publisher's block takes to reach this application.`}
        slotProps={{ htmlInput: { min: MIN_TOKEN_VALIDITY_SECONDS, max: maxValiditySeconds, step: 1 } }}
        fullWidth
      />
      <Field
        name="tokenType"
        label="Token type"
        select
        state={state}
        defaultValue={defaults?.tokenType ?? 'JWT'}
        helperText="JWTs are checked by gateways offline; opaque tokens are checked with the portal on use."
        fullWidth
      >
        <MenuItem value="JWT">JWT</MenuItem>
        <MenuItem value="OPAQUE">Opaque</MenuItem>
      </Field>
    </Stack>
  );
}

/** Shows a consumer secret the one time it exists in clear; closing the dialog forgets it. */
function SecretDialog({ credentials, onClose }: { credentials: Credentials | null; onClose: () => void }) {
  return (
    <Dialog open={!!credentials} aria-labelledby="secret-dialog-title" maxWidth="sm" fullWidth>
      <DialogTitle id="secret-dialog-title">Copy your consumer secret now</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <DialogContentText>This is the only time the secret is shown. If you lose it, regenerate it: the old one then stops working.</DialogContentText>
          {credentials && (
            <>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <TextField label="Consumer key" value={credentials.consumerKey} fullWidth slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'revealed-consumer-key' } }} />
                <CopyButton value={credentials.consumerKey} label="consumer key" />
              </Stack>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <TextField label="Consumer secret" value={credentials.consumerSecret} fullWidth slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'revealed-consumer-secret' } }} />
                <CopyButton value={credentials.consumerSecret} label="consumer secret" />
              </Stack>
            </>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          I have copied the secret
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * One key pair of an application (WSO2's production or sandbox keys): its consumer key, the secret
 * shown once, and its token settings. Tokens of sandbox keys reach APIs' sandbox endpoints.
 */
export function ApplicationKeysPanel({
  applicationId,
  keyType,
  applicationKey,
  maxValiditySeconds,
  tokenEndpoint,
  generateKeys,
  regenerateSecret,
  updateSettings,
}: {
  applicationId: string;
  keyType: KeyType;
  applicationKey: ApplicationKeyView | null;
  /** The platform's maximum access-token lifetime (PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS). */
  maxValiditySeconds: number;
  tokenEndpoint: string;
  generateKeys: FormAction<Credentials>;
  regenerateSecret: (applicationId: string, keyType: KeyType) => Promise<ActionState<Credentials>>;
  updateSettings: FormAction;
}) {
  const [revealed, setRevealed] = useState<Credentials | null>(null);
  // The secret goes into `revealed` only, not into the form state that outlives the dialog.
  const [generateState, generateAction] = useActionState<ActionState<Credentials>, FormData>(async (previous, formData) => {
    const result = await generateKeys(previous, formData);
    if (result.data) setRevealed(result.data);
    return { ...result, data: undefined };
  }, { status: 'idle' });
  const [settingsState, settingsAction] = useActionState(updateSettings, { status: 'idle' });
  const [confirmingRegenerate, setConfirmingRegenerate] = useState(false);
  const [regenerateError, setRegenerateError] = useState<string | null>(null);
  const [regenerating, startRegenerate] = useTransition();
  const name = KEY_TYPE_NAMES[keyType];
  const headingId = `${keyType.toLowerCase()}-keys-heading`;

  function regenerate() {
    setRegenerateError(null);
    startRegenerate(async () => {
      const result = await regenerateSecret(applicationId, keyType);
      setConfirmingRegenerate(false);
      if (result.status === 'error' || !result.data) setRegenerateError(result.message ?? 'The secret could not be regenerated.');
      else setRevealed(result.data);
    });
  }

  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby={headingId}>
      <Stack spacing={2}>
        <Typography variant="h2" id={headingId}>
          {name} keys
        </Typography>
        {keyType === 'SANDBOX' && (
          <Typography color="text.secondary">
            Tokens of sandbox keys reach the sandbox endpoint of an API, for testing against its test backend. An API without one refuses them.
          </Typography>
        )}
        {applicationKey ? (
          <>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField label="Consumer key" value={applicationKey.consumerKey} fullWidth slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'consumer-key' } }} />
              <CopyButton value={applicationKey.consumerKey} label="consumer key" />
            </Stack>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
                Consumer secret: set. It is never shown again; regenerate it if it is lost.
              </Typography>
              <Button variant="outlined" onClick={() => setConfirmingRegenerate(true)}>
                Regenerate secret
              </Button>
            </Stack>
            {regenerateError && <Alert severity="error">{regenerateError}</Alert>}
            <Typography variant="body2" color="text.secondary">
              Programs get tokens from <code>{tokenEndpoint}</code> with the client credentials grant, for example{' '}
              <code>
                curl -u &lt;consumer key&gt;:&lt;consumer secret&gt; -d grant_type=client_credentials {tokenEndpoint}
              </code>
            </Typography>
            <form action={settingsAction} noValidate>
              <input type="hidden" name="applicationId" value={applicationId} />
              <input type="hidden" name="keyType" value={keyType} />
              <Stack spacing={2}>
                <Typography variant="h3" sx={{ fontSize: '1rem', fontWeight: 600 }}>
                  Token settings
                </Typography>
                <FormMessage state={settingsState} />
                <KeySettingsFields state={settingsState} defaults={applicationKey} maxValiditySeconds={maxValiditySeconds} />
                <SubmitButton sx={{ alignSelf: 'start' }}>Save token settings</SubmitButton>
              </Stack>
            </form>
          </>
        ) : (
          <form action={generateAction} noValidate>
            <input type="hidden" name="applicationId" value={applicationId} />
            <input type="hidden" name="keyType" value={keyType} />
            <Stack spacing={2}>
              <Typography color="text.secondary">Generate a {name.toLowerCase()} consumer key and secret to get access tokens for this application.</Typography>
              <FormMessage state={generateState} />
              <KeySettingsFields state={generateState} maxValiditySeconds={maxValiditySeconds} />
              <SubmitButton sx={{ alignSelf: 'start' }}>Generate keys</SubmitButton>
            </Stack>
          </form>
        )}
      </Stack>
      <SecretDialog credentials={revealed} onClose={() => setRevealed(null)} />
      <Dialog open={confirmingRegenerate} onClose={() => setConfirmingRegenerate(false)} aria-labelledby={`regenerate-title-${keyType}`}>
        <DialogTitle id={`regenerate-title-${keyType}`}>Regenerate the {name.toLowerCase()} consumer secret?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The current secret stops working at once, so programs using it must be given the new one. Access tokens already issued keep
            working until they expire.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmingRegenerate(false)}>Cancel</Button>
          <Button variant="contained" disabled={regenerating} onClick={regenerate}>
            {regenerating ? 'Regenerating…' : 'Regenerate'}
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}
