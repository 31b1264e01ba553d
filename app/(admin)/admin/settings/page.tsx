import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { SelfSignupForm } from '@/components/admin/self-signup-form';
import { SigningKeysTable } from '@/components/admin/signing-keys-table';
import { actorForPage } from '@/lib/auth/session';
import { signingKeyRollout } from '@/lib/oauth/signing-key-rollout';
import { tenantSettings } from '@/lib/tenants/tenants.service';
import { setSelfSignupAction } from './actions';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const actor = await actorForPage(['admin'], '/admin/settings');
  const [settings, rollout] = await Promise.all([tenantSettings(actor), signingKeyRollout(actor)]);
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Settings</Typography>
        <Typography color="text.secondary">
          {settings.displayName} · {settings.domain}
        </Typography>
      </div>
      <SelfSignupForm action={setSelfSignupAction} selfSignup={settings.selfSignup} />
      <SigningKeysTable rollout={rollout} />
    </Stack>
  );
}
