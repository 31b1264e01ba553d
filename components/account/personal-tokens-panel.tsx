'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useActionState, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';
import { CopyButton } from '../portal/copy-button';

export interface PersonalTokenRow {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

export interface ScopeChoice {
  scope: string;
  role: string;
  description: string;
}

interface Revealed {
  name: string;
  token: string;
}

/** Dates as UTC text: the same on the server and in the browser. */
const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

const statusColor = { active: 'success', expired: 'default', revoked: 'default' } as const;

/** Shows a token the one time it exists in clear; closing the dialog forgets it. */
function TokenDialog({ revealed, apiBaseUrl, portalUrl, onClose }: { revealed: Revealed | null; apiBaseUrl: string; portalUrl: string; onClose: () => void }) {
  return (
    <Dialog open={!!revealed} aria-labelledby="token-dialog-title" maxWidth="md" fullWidth>
      <DialogTitle id="token-dialog-title">Copy your token now</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <DialogContentText>This is the only time the token &ldquo;{revealed?.name}&rdquo; is shown. Store it as a secret of your pipeline; if it is lost, make a new one and revoke this one.</DialogContentText>
          {revealed && (
            <>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <TextField label="Token" value={revealed.token} fullWidth slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'revealed-personal-token', style: { fontFamily: 'monospace' } } }} />
                <CopyButton value={revealed.token} label="token" />
              </Stack>
              <Typography variant="body2" color="text.secondary">
                With the CLI: <code>PRIVATEJET_URL={portalUrl} PRIVATEJET_TOKEN=… npx privatejet apply -f api.yaml --wait</code>, or{' '}
                <code>npx privatejet login --url {portalUrl}</code> once. With curl: <code>curl -H &quot;Authorization: Bearer …&quot; {apiBaseUrl}/me</code>
              </Typography>
            </>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          I have copied the token
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function PersonalTokensPanel({
  tokens,
  scopes,
  defaultDays,
  maxDays,
  apiBaseUrl,
  portalUrl,
  create,
  revoke,
  remove,
}: {
  tokens: PersonalTokenRow[];
  scopes: ScopeChoice[];
  defaultDays: number;
  maxDays: number;
  apiBaseUrl: string;
  portalUrl: string;
  create: (state: ActionState<Revealed>, formData: FormData) => Promise<ActionState<Revealed>>;
  revoke: (tokenId: string) => Promise<ActionState<unknown>>;
  remove: (tokenId: string) => Promise<ActionState<unknown>>;
}) {
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  // The token goes into `revealed` only, not into the form state that outlives the dialog.
  const [state, formAction] = useActionState<ActionState<Revealed>, FormData>(async (previous, formData) => {
    const result = await create(previous, formData);
    if (result.data) setRevealed(result.data);
    return { ...result, data: undefined };
  }, { status: 'idle' });
  const [rowError, setRowError] = useState<string | null>(null);
  const [busy, startTransition] = useTransition();
  const echoedScopes = state.values?.scopes;
  const checked = (scope: string) => (echoedScopes === undefined ? false : Array.isArray(echoedScopes) ? echoedScopes.includes(scope) : echoedScopes === scope);

  function act(action: (id: string) => Promise<ActionState<unknown>>, id: string) {
    setRowError(null);
    startTransition(async () => {
      const result = await action(id);
      if (result.status === 'error') setRowError(result.message ?? 'That did not work.');
    });
  }

  return (
    <Stack spacing={3}>
      <Paper sx={{ p: 3 }} component="section" aria-labelledby="new-token-heading">
        <form action={formAction}>
          <Stack spacing={2}>
            <Typography variant="h2" id="new-token-heading">
              New token
            </Typography>
            <FormMessage state={state} />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <Field name="name" label="Name" state={state} helperText="What uses it, such as ci-petstore." required fullWidth />
              <Field
                name="expiresInDays"
                label="Expires in (days)"
                type="number"
                state={state}
                defaultValue={defaultDays}
                helperText={`Every token expires: 1 to ${maxDays} days.`}
                slotProps={{ htmlInput: { min: 1, max: maxDays, step: 1 } }}
                sx={{ minWidth: 200 }}
              />
            </Stack>
            <FormControl component="fieldset" error={!!state.fieldErrors?.scopes}>
              <FormLabel component="legend">Scopes</FormLabel>
              <FormGroup>
                {scopes.map((s) => (
                  <FormControlLabel
                    key={s.scope}
                    control={<Checkbox name="scopes" value={s.scope} defaultChecked={checked(s.scope)} />}
                    label={
                      <span>
                        <code>{s.scope}</code> — {s.description}
                      </span>
                    }
                  />
                ))}
              </FormGroup>
              <FormHelperText>{state.fieldErrors?.scopes?.join(' ') ?? 'Only the scopes your roles allow are offered. A pipeline that publishes needs apis:read, apis:write and apis:publish.'}</FormHelperText>
            </FormControl>
            <SubmitButton sx={{ alignSelf: 'start' }}>Create token</SubmitButton>
          </Stack>
        </form>
      </Paper>

      <Paper sx={{ p: 3 }} component="section" aria-labelledby="tokens-heading">
        <Stack spacing={2}>
          <Typography variant="h2" id="tokens-heading">
            Your tokens
          </Typography>
          {rowError && (
            <Alert severity="error" role="alert">
              {rowError}
            </Alert>
          )}
          {tokens.length === 0 ? (
            <Typography color="text.secondary">You have no tokens yet.</Typography>
          ) : (
            <Table size="small" aria-label="Your tokens">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Scopes</TableCell>
                  <TableCell>Expires</TableCell>
                  <TableCell>Last used</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {tokens.map((t) => (
                  <TableRow key={t.id} data-testid={`personal-token-${t.name}`}>
                    <TableCell>
                      <Typography sx={{ fontWeight: 600 }}>{t.name}</Typography>
                      <Typography variant="caption" color="text.secondary" sx={{ fontFamily: 'monospace' }}>
                        {t.displayPrefix}…
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
                        {t.scopes.map((scope) => (
                          <Chip key={scope} size="small" variant="outlined" label={scope} />
                        ))}
                      </Stack>
                    </TableCell>
                    <TableCell>{when(t.expiresAt)}</TableCell>
                    <TableCell data-testid="token-last-used">{t.lastUsedAt ? `${when(t.lastUsedAt)}${t.lastUsedFrom ? ` from ${t.lastUsedFrom}` : ''}` : 'never'}</TableCell>
                    <TableCell>
                      <Chip size="small" color={statusColor[t.status]} label={t.status} data-testid="token-status" />
                    </TableCell>
                    <TableCell align="right">
                      {t.status === 'active' ? (
                        <Button size="small" color="error" disabled={busy} onClick={() => act(revoke, t.id)}>
                          Revoke
                        </Button>
                      ) : (
                        <Button size="small" disabled={busy} onClick={() => act(remove, t.id)}>
                          Remove
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Stack>
      </Paper>
      <TokenDialog revealed={revealed} apiBaseUrl={apiBaseUrl} portalUrl={portalUrl} onClose={() => setRevealed(null)} />
    </Stack>
  );
}
