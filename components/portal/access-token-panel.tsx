'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { KeyType } from '@/lib/key-types';
import { CopyButton } from './copy-button';

export interface IssuedToken {
  access_token: string;
  expires_in: number;
}

function formatRemaining(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Seconds left until `expiresAt`, ticking once a second. */
function useSecondsLeft(expiresAt: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (expiresAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  return expiresAt === null ? null : Math.max(0, Math.round((expiresAt - now) / 1000));
}

export function TokenExpiry({ expiresAt }: { expiresAt: number }) {
  const left = useSecondsLeft(expiresAt);
  if (left === null) return null;
  return left > 0 ? (
    <Chip size="small" color={left < 60 ? 'warning' : 'success'} label={`expires in ${formatRemaining(left)}`} data-testid="token-expiry" />
  ) : (
    <Chip size="small" color="error" label="expired: generate a new one" data-testid="token-expiry" />
  );
}

/** The portal's "Generate access token" for the application's owner, plus revoking what was issued. */
export function AccessTokenPanel({
  applicationId,
  keyType,
  tokenType,
  generateToken,
  revokeTokens,
}: {
  applicationId: string;
  /** Whose consumer key the token is issued to: production or sandbox. */
  keyType: KeyType;
  tokenType: 'JWT' | 'OPAQUE';
  generateToken: (applicationId: string, keyType: KeyType) => Promise<ActionState<IssuedToken>>;
  revokeTokens: (applicationId: string) => Promise<ActionState<{ revokedCount: number }>>;
}) {
  const [token, setToken] = useState<{ value: string; expiresAt: number } | null>(null);
  const [message, setMessage] = useState<{ severity: 'error' | 'success'; text: string } | null>(null);
  const [pending, startTransition] = useTransition();

  function generate() {
    setMessage(null);
    startTransition(async () => {
      const result = await generateToken(applicationId, keyType);
      if (result.status === 'error' || !result.data) setMessage({ severity: 'error', text: result.message ?? 'No token was issued.' });
      else setToken({ value: result.data.access_token, expiresAt: Date.now() + result.data.expires_in * 1000 });
    });
  }

  function revoke() {
    setMessage(null);
    startTransition(async () => {
      const result = await revokeTokens(applicationId);
      if (result.status === 'error' || !result.data) {
        setMessage({ severity: 'error', text: result.message ?? 'The tokens could not be revoked.' });
        return;
      }
      setToken(null);
      const count = result.data.revokedCount;
      const offline = tokenType === 'JWT' ? ' JWTs are checked by gateways offline, so revoked JWTs still work there until they expire.' : '';
      setMessage({ severity: 'success', text: `Revoked ${count} unexpired ${count === 1 ? 'token' : 'tokens'}.${offline}` });
    });
  }

  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="access-token-heading">
      <Stack spacing={2}>
        <Typography variant="h2" id="access-token-heading">
          {keyType === 'SANDBOX' ? 'Sandbox access token' : 'Access token'}
        </Typography>
        <Typography color="text.secondary">
          Send it as <code>Authorization: Bearer &lt;token&gt;</code>. A token carries this application&apos;s subscriptions at the time it is issued:
          generate a new one after subscribing.
        </Typography>
        {message && <Alert severity={message.severity}>{message.text}</Alert>}
        {token && (
          <Stack spacing={1}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
              <TextField
                label={`Access token (${tokenType === 'JWT' ? 'JWT' : 'opaque'})`}
                value={token.value}
                multiline
                maxRows={4}
                fullWidth
                slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'access-token', style: { fontFamily: 'monospace', fontSize: 13 } } }}
              />
              <CopyButton value={token.value} label="access token" />
            </Stack>
            <TokenExpiry expiresAt={token.expiresAt} />
          </Stack>
        )}
        <Stack direction="row" spacing={1}>
          <Button variant="contained" onClick={generate} disabled={pending}>
            {token ? 'Generate a new token' : 'Generate access token'}
          </Button>
          <Button color="error" onClick={revoke} disabled={pending}>
            Revoke all tokens
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}
