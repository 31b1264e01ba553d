'use client';
import Alert from '@mui/material/Alert';
import Checkbox from '@mui/material/Checkbox';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { useOptimistic, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { Role } from '@/lib/db/schema';
import type { UserSummary } from '@/lib/users/users.service';

/** A user as the service summarizes one, with the date serialized for the browser. */
type UserRow = Omit<UserSummary, 'createdAt'> & { createdAt: string };

const allRoles: Role[] = ['admin', 'publisher', 'subscriber'];

export function UsersTable({
  users,
  currentUserId,
  setRoles,
}: {
  users: UserRow[];
  currentUserId: string;
  setRoles: (userId: string, roles: Role[]) => Promise<ActionState<unknown>>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  // Show the new roles at once; the server's answer (or its refusal) replaces them.
  const [shownUsers, showRoles] = useOptimistic(users, (current, change: { userId: string; roles: Role[] }) =>
    current.map((user) => (user.id === change.userId ? { ...user, roles: change.roles } : user)),
  );

  function toggle(user: UserRow, role: Role, checked: boolean) {
    const roles = checked ? [...user.roles, role] : user.roles.filter((r) => r !== role);
    setError(null);
    startTransition(async () => {
      showRoles({ userId: user.id, roles });
      const result = await setRoles(user.id, roles);
      if (result.status === 'error') setError(`${user.username}: ${result.message}`);
    });
  }

  return (
    <>
      {error && <Alert severity="error">{error}</Alert>}
      <TableContainer component={Paper}>
        <Table size="small" aria-label="Users">
          <TableHead>
            <TableRow>
              <TableCell>Username</TableCell>
              <TableCell>Name</TableCell>
              <TableCell>Email</TableCell>
              {allRoles.map((role) => (
                <TableCell key={role} align="center">
                  {role}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {shownUsers.map((user) => (
              <TableRow key={user.id} data-testid={`user-row-${user.username}`}>
                <TableCell>{user.username}</TableCell>
                <TableCell>{user.displayName}</TableCell>
                <TableCell>{user.email ?? '—'}</TableCell>
                {allRoles.map((role) => (
                  <TableCell key={role} align="center" padding="checkbox">
                    <Checkbox
                      checked={user.roles.includes(role)}
                      disabled={pending || (user.id === currentUserId && role === 'admin')}
                      onChange={(event) => toggle(user, role, event.target.checked)}
                      slotProps={{ input: { 'aria-label': `${role} role for ${user.username}` } }}
                    />
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </>
  );
}
