import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { SelfSignupForm } from '@/components/admin/self-signup-form';
import { actorForPage } from '@/lib/auth/session';
import { tenantSettings } from '@/lib/tenants/tenants.service';
import { setSelfSignupAction } from './actions';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const actor = await actorForPage(['admin'], '/admin/settings');
  const settings = await tenantSettings(actor);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Settings</Typography>
        <Typography color="text.secondary">
          {settings.displayName} · {settings.domain}
        </Typography>
      </div>
      <SelfSignupForm action={setSelfSignupAction} selfSignup={settings.selfSignup} />
    </Stack>
  );
}
