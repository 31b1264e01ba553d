import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { forbidden } from 'next/navigation';
import { CreateTenantForm } from '@/components/admin/create-tenant-form';
import { isSuperTenantAdmin } from '@/lib/actor';
import { actorForPage } from '@/lib/auth/session';
import { listTenants } from '@/lib/tenants/tenants.service';
import { createTenantAction } from './actions';

export const metadata: Metadata = { title: 'Tenants' };

export default async function TenantsPage() {
  const actor = await actorForPage(['admin'], '/admin/tenants');
  if (!isSuperTenantAdmin(actor)) forbidden();
  const tenants = await listTenants(actor);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Tenants</Typography>
        <Typography color="text.secondary">
          Each tenant has its own users, clusters, APIs and portal; nothing of one is visible to another.
        </Typography>
      </div>
      <Paper>
        <Table size="small" aria-label="Tenants">
          <TableHead>
            <TableRow>
              <TableCell>Domain</TableCell>
              <TableCell>Name</TableCell>
              <TableCell align="right">Users</TableCell>
              <TableCell>Developer sign-up</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {tenants.map((tenant) => (
              <TableRow key={tenant.id}>
                <TableCell>{tenant.domain}</TableCell>
                <TableCell>{tenant.displayName}</TableCell>
                <TableCell align="right">{tenant.userCount}</TableCell>
                <TableCell>{tenant.selfSignup ? 'open' : 'closed'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
      <CreateTenantForm action={createTenantAction} />
    </Stack>
  );
}
