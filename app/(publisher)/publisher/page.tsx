import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty/empty-state';
import { LinkButton } from '@/components/link-button';
import { ApiList } from '@/components/publisher/api-list';
import { apiSearchSchema } from '@/lib/apis/apis.schema';
import { listApisForPublisher } from '@/lib/apis/apis.service';
import { actorForPage } from '@/lib/auth/session';
import { dayOfTrafficByApi } from '@/lib/traffic/traffic-views';

export const metadata: Metadata = { title: 'Publisher' };

export default async function PublisherHome({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await actorForPage(['publisher'], '/publisher');
  const parsed = apiSearchSchema.safeParse(await searchParams);
  const search = parsed.success ? parsed.data : {};
  const apis = await listApisForPublisher(actor, search);
  const traffic = await dayOfTrafficByApi(actor, apis.map((a) => a.id));
  const filtering = !!(search.q || search.state);
  return (
    <Stack spacing={3}>
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center' }}>
        <Typography variant="h1">APIs</Typography>
        <LinkButton href="/publisher/apis/new" variant="contained">
          Create API
        </LinkButton>
      </Stack>
      {apis.length === 0 && !filtering ? (
        <EmptyState title="No APIs yet" action={<LinkButton href="/publisher/apis/new">Create your first API</LinkButton>}>
          Create an API from scratch or import an OpenAPI definition. Each API you publish gets its own gateway in the clusters you pick on its
          Environments tab.
        </EmptyState>
      ) : (
        <ApiList apis={apis.map((a) => ({ ...a, updatedAt: a.updatedAt.toISOString() }))} search={search} traffic={traffic} />
      )}
    </Stack>
  );
}
