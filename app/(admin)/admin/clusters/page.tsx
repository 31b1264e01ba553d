import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { ClustersEditor } from '@/components/admin/clusters/clusters-editor';
import { actorForPage } from '@/lib/auth/session';
import { exportTenantClusters, listClustersForAdmin } from '@/lib/clusters/clusters.service';
import { clusterSetupGuide } from '@/lib/containers/cluster-use.service';
import { knownClusterTypes } from '@/lib/clusters/container-managers';
import { platformClusterConfig } from '@/lib/clusters/platform-config';
import { checkConnectionAction, deleteClusterAction, saveClusterAction, saveClustersJsonAction } from './actions';

export const metadata: Metadata = { title: 'Clusters' };

export default async function ClustersPage() {
  const actor = await actorForPage(['admin'], '/admin/clusters');
  const clusters = await listClustersForAdmin(actor);
  const guides = Object.fromEntries(clusters.map((c) => [c.clusterName, clusterSetupGuide(c)]));
  const types = knownClusterTypes((await platformClusterConfig()).managers);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Clusters</Typography>
        <Typography color="text.secondary">
          Where {actor.tenantDomain}&apos;s APIs get their dedicated gateways. Publishers pick from these on an API&apos;s
          Environments tab. Tokens are stored encrypted and never shown again.
        </Typography>
      </div>
      <ClustersEditor
        clusters={clusters}
        guides={guides}
        types={types}
        exportedJson={await exportTenantClusters(actor)}
        saveCluster={saveClusterAction}
        saveJson={saveClustersJsonAction}
        deleteCluster={deleteClusterAction}
        checkConnection={checkConnectionAction}
      />
    </Stack>
  );
}
