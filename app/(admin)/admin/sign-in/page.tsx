import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { LocalPasswordsForm } from '@/components/admin/local-passwords-form';
import { OidcProviderForm } from '@/components/admin/oidc-provider-form';
import { actorForPage } from '@/lib/auth/session';
import { listOidcProviders, tenantSignInPolicy } from '@/lib/auth/oidc/oidc-providers.service';
import { SUPER_TENANT } from '@/lib/super-tenant';
import { publicBaseUrl } from '@/lib/env';
import { createOidcProviderAction, deleteOidcProviderAction, setLocalPasswordsAction, updateOidcProviderAction } from './actions';

export const metadata: Metadata = { title: 'Sign-in' };

export default async function SignInSettingsPage() {
  const actor = await actorForPage(['admin'], '/admin/sign-in');
  const [providers, policy] = await Promise.all([listOidcProviders(actor), tenantSignInPolicy(actor)]);
  const signInPage = `${publicBaseUrl()}/signin${actor.tenantDomain === SUPER_TENANT ? '' : `?tenant=${encodeURIComponent(actor.tenantDomain)}`}`;
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Sign-in</Typography>
        <Typography color="text.secondary">
          OpenID Connect providers for {actor.tenantDomain}. Its people sign in at <code>{signInPage}</code>.
        </Typography>
      </div>
      <LocalPasswordsForm action={setLocalPasswordsAction} adminsOnly={policy.localPasswordsAdminsOnly} />
      {policy.platformProviders.length > 0 && (
        <Paper sx={{ p: 3 }}>
          <Stack spacing={1}>
            <Typography variant="h2">Providers of the platform</Typography>
            <Typography color="text.secondary">Defined in deployment.toml; change them there.</Typography>
            {policy.platformProviders.map((provider) => (
              <Typography key={provider.key} variant="body2">
                {provider.displayName} · {provider.issuer} · redirect URI <code>{provider.redirectUri}</code>
              </Typography>
            ))}
          </Stack>
        </Paper>
      )}
      {providers.map((provider) => (
        <OidcProviderForm key={`${provider.id}`} provider={provider} action={updateOidcProviderAction} deleteAction={deleteOidcProviderAction} />
      ))}
      <OidcProviderForm key={`new-${providers.length}`} action={createOidcProviderAction} />
    </Stack>
  );
}
