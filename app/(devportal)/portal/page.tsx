import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty/empty-state';
import { TenantSwitch } from '@/components/shell/tenant-switch';
import { SUPER_TENANT } from '@/lib/auth/identity';
import { currentActor } from '@/lib/auth/session';
import { listPortalTenants } from '@/lib/tenants/tenants.service';

export const metadata: Metadata = { title: 'Developer Portal' };

export default async function PortalHome({ searchParams }: { searchParams: Promise<{ tenant?: string }> }) {
  const actor = await currentActor();
  const tenants = await listPortalTenants();
  const requested = (await searchParams).tenant;
  // A signed-in user always sees their own tenant's portal; visitors pick one.
  const tenantDomain = actor?.tenantDomain ?? tenants.find((t) => t.domain === requested)?.domain ?? SUPER_TENANT;
  const tenant = tenants.find((t) => t.domain === tenantDomain);
  return (
    <Stack spacing={3}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
        <div>
          <Typography variant="h1">APIs</Typography>
          <Typography color="text.secondary" data-testid="portal-tenant">
            {tenant?.displayName ?? tenantDomain} · {tenantDomain}
          </Typography>
        </div>
        {!actor && tenants.length > 1 && <TenantSwitch tenants={tenants} current={tenantDomain} />}
      </Stack>
      <EmptyState title="No APIs are published here yet">
        When a publisher publishes an API, it appears here with the address of its gateway in each cluster.
        {actor ? '' : ' Sign in or create a developer account to subscribe to APIs and call them.'}
      </EmptyState>
    </Stack>
  );
}
