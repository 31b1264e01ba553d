import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

/** An empty list that says what it is for and what to do next. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Paper sx={{ p: 5, textAlign: 'center' }} data-testid="empty-state">
      <Stack spacing={1.5} sx={{ alignItems: 'center' }}>
        <Typography variant="h2">{title}</Typography>
        <Typography color="text.secondary" sx={{ maxWidth: 560 }}>
          {children}
        </Typography>
        {action}
      </Stack>
    </Paper>
  );
}
