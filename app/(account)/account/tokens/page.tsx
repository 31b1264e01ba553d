import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { PersonalTokensPanel } from '@/components/account/personal-tokens-panel';
import { actorForPage } from '@/lib/auth/session';
import { publicBaseUrl } from '@/lib/env';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from '@/lib/personal-tokens/personal-tokens.schema';
import { listPersonalTokens } from '@/lib/personal-tokens/personal-tokens.service';
import { SCOPES, scopesAllowedFor } from '@/lib/personal-tokens/scopes';
import { createPersonalTokenAction, deletePersonalTokenAction, revokePersonalTokenAction } from './actions';

export const metadata: Metadata = { title: 'Personal access tokens' };

export default async function PersonalTokensPage() {
  const actor = await actorForPage(['admin', 'publisher', 'subscriber'], '/account/tokens');
  const tokens = await listPersonalTokens(actor);
  const scopes = scopesAllowedFor(actor.roles).map((scope) => ({ scope, role: SCOPES[scope].role, description: SCOPES[scope].description }));
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Personal access tokens</Typography>
        <Typography color="text.secondary">
          Tokens let pipelines and the <code>privatejet</code> CLI call the REST API as you, with only the scopes you pick and never more than your
          roles allow. Each use is recorded below and in the log.
        </Typography>
      </div>
      <PersonalTokensPanel
        tokens={tokens.map((t) => ({
          id: t.id,
          name: t.name,
          displayPrefix: t.displayPrefix,
          scopes: t.scopes,
          status: t.status,
          createdAt: t.createdAt.toISOString(),
          expiresAt: t.expiresAt.toISOString(),
          lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
          lastUsedFrom: t.lastUsedFrom,
        }))}
        scopes={scopes}
        defaultDays={DEFAULT_TOKEN_DAYS}
        maxDays={MAX_TOKEN_DAYS}
        apiBaseUrl={`${publicBaseUrl()}/api/v1`}
        portalUrl={publicBaseUrl()}
        create={createPersonalTokenAction}
        revoke={revokePersonalTokenAction}
        remove={deletePersonalTokenAction}
      />
    </Stack>
  );
}
