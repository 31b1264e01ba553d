import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { LinkButton } from '@/components/link-button';

export default function NotFound() {
  return (
    <Stack spacing={2} sx={{ p: 6, maxWidth: 560, mx: 'auto' }}>
      <Typography variant="h1">Not found</Typography>
      <Typography color="text.secondary">There is nothing at this address, or it belongs to another tenant.</Typography>
      <LinkButton href="/" variant="contained" sx={{ alignSelf: 'start' }}>
        Go to your home page
      </LinkButton>
    </Stack>
  );
}
