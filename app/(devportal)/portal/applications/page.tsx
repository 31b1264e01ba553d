import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty/empty-state';
import { ApplicationsTable } from '@/components/portal/applications-table';
import { CreateApplicationForm } from '@/components/portal/create-application-form';
import { listApplications } from '@/lib/applications/applications.service';
import { actorForPage } from '@/lib/auth/session';
import { createApplicationAction } from './actions';

export const metadata: Metadata = { title: 'Applications' };

export default async function ApplicationsPage() {
  const actor = await actorForPage(['subscriber'], '/portal/applications');
  const applications = await listApplications(actor);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Applications</Typography>
        <Typography color="text.secondary">Each application has its own keys and access tokens, and its own subscriptions to APIs.</Typography>
      </div>
      {applications.length > 0 ? (
        <ApplicationsTable applications={applications.map(({ id, name, tier, description, hasProductionKeys }) => ({ id, name, tier, description, hasProductionKeys }))} />
      ) : (
        <EmptyState title="You have no applications yet">
          Create one below, generate its keys, then subscribe it to an API from the API&apos;s page in the catalog.
        </EmptyState>
      )}
      <CreateApplicationForm action={createApplicationAction} />
    </Stack>
  );
}
