import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { ClusterTrafficTables } from '@/components/admin/cluster-traffic';
import { actorForPage } from '@/lib/auth/session';
import { clusterTrafficOverview } from '@/lib/traffic/cluster-traffic';

export const metadata: Metadata = { title: 'Traffic' };

export default async function AdminTrafficPage() {
  const actor = await actorForPage(['admin'], '/admin/traffic');
  const overview = await clusterTrafficOverview(actor);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Traffic</Typography>
        <Typography color="text.secondary">
          {overview.allTenants
            ? 'Every tenant’s gateways on the platform’s clusters, and the super tenant’s own.'
            : `${actor.tenantDomain}’s gateways on its clusters and on the platform clusters shared with it.`}{' '}
          Each gateway is read by the app at a fixed interval; an API&apos;s own charts are on its Traffic tab.
        </Typography>
      </div>
      <ClusterTrafficTables overview={overview} />
    </Stack>
  );
}
