import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { CreateUserForm } from '@/components/admin/create-user-form';
import { UsersTable } from '@/components/admin/users-table';
import { actorForPage } from '@/lib/auth/session';
import { listTenantUsers } from '@/lib/users/users.service';
import { createUserAction, setUserRolesAction } from './actions';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const actor = await actorForPage(['admin'], '/admin/users');
  const users = await listTenantUsers(actor);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Users</Typography>
        <Typography color="text.secondary">Accounts of {actor.tenantDomain} and their roles.</Typography>
      </div>
      <UsersTable
        users={users.map((u) => ({ ...u, createdAt: u.createdAt.toISOString() }))}
        currentUserId={actor.userId}
        setRoles={setUserRolesAction}
      />
      <CreateUserForm action={createUserAction} />
    </Stack>
  );
}
