import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { LinkButton } from '@/components/link-button';

export default function Forbidden() {
  return (
    <Stack spacing={2} sx={{ p: 6, maxWidth: 560, mx: 'auto' }}>
      <Typography variant="h1">You do not have access to this page</Typography>
      <Typography color="text.secondary">
        Your account&apos;s roles do not include this part of PrivateJet. Ask a tenant administrator if you need it.
      </Typography>
      <LinkButton href="/" variant="contained" sx={{ alignSelf: 'start' }}>
        Go to your home page
      </LinkButton>
    </Stack>
  );
}
