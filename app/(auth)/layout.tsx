import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import { TextLink } from '@/components/link-button';
import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Box sx={{ width: '100%', maxWidth: 420 }}>
        <TextLink href="/portal" variant="h5" underline="none" color="inherit" sx={{ display: 'block', mb: 2, fontWeight: 700 }}>
          PrivateJet
        </TextLink>
        <Paper sx={{ p: 3 }}>{children}</Paper>
      </Box>
    </Box>
  );
}
