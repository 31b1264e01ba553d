import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty/empty-state';
import { actorForPage } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Publisher' };

export default async function PublisherHome() {
  const actor = await actorForPage(['publisher'], '/publisher');
  return (
    <Stack spacing={3}>
      <Typography variant="h1">APIs</Typography>
      <EmptyState title="No APIs yet">
        APIs of {actor.tenantDomain} appear here. Each API you publish gets its own gateway in the clusters you pick on
        its Environments tab.
      </EmptyState>
    </Stack>
  );
}
