import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { ApiTabs } from '@/components/publisher/api-tabs';
import { StateChip } from '@/components/publisher/state-chip';
import { LinkButton } from '@/components/link-button';
import { getApiForPublisher } from '@/lib/apis/apis.service';
import { actorForPage } from '@/lib/auth/session';

export default async function ApiLayout({ children, params }: { children: ReactNode; params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}`);
  const api = await getApiForPublisher(actor, apiId);
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="h1">{api.name}</Typography>
        <Typography color="text.secondary">
          {api.version} · {api.context}/{api.version}
        </Typography>
        <StateChip state={api.state} />
        <LinkButton href={`/portal/apis/${api.id}`} size="small">
          View in Dev Portal
        </LinkButton>
      </Stack>
      <ApiTabs apiId={api.id} />
      {children}
    </Stack>
  );
}
