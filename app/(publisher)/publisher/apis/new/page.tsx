import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { CreateApiForm } from '@/components/publisher/api-forms';
import { maxDefinitionBytes } from '@/lib/apis/definition-limits';
import { actorForPage } from '@/lib/auth/session';
import { createApiAction } from '../actions';

export const metadata: Metadata = { title: 'Create API' };

export default async function CreateApiPage() {
  await actorForPage(['publisher'], '/publisher/apis/new');
  return (
    <Stack spacing={3}>
      <Typography variant="h1">Create an API</Typography>
      <CreateApiForm action={createApiAction} maxDefinitionBytes={maxDefinitionBytes()} />
    </Stack>
  );
}
