import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { TextLink } from '@/components/link-button';
import { AccessTokenPanel } from '@/components/portal/access-token-panel';
import { ApplicationSettingsForm } from '@/components/portal/application-settings-form';
import { ApplicationSubscriptions } from '@/components/portal/application-subscriptions';
import { ApplicationKeysPanel } from '@/components/portal/application-keys-panel';
import { KeyTypeTabs } from '@/components/portal/key-type-tabs';
import type { ApplicationKeyInfo } from '@/lib/applications/applications.service';
import { ApplicationUsage } from '@/components/portal/application-usage';
import { getApplication } from '@/lib/applications/applications.service';
import { actorForPage } from '@/lib/auth/session';
import type { KeyType } from '@/lib/key-types';
import { describeDuration } from '@/lib/durations';
import { STATE_LABELS } from '@/lib/lifecycle/lifecycle';
import { oauthEndpoints } from '@/lib/oauth/issuer';
import { maxTokenLifetimeSeconds } from '@/lib/oauth/token-lifetime';
import { orNotFound } from '@/lib/portal/page-guards';
import { blockTakesEffectNote, listSubscriptionsOfApplication } from '@/lib/subscriptions/subscriptions.service';
import { applicationUsage } from '@/lib/traffic/application-usage';
import {
  deleteApplicationAction,
  generateAccessTokenAction,
  generateKeysAction,
  regenerateSecretAction,
  revokeTokensAction,
  unsubscribeFromApplicationAction,
  updateApplicationAction,
  updateKeySettingsAction,
} from './actions';

export const metadata: Metadata = { title: 'Application' };


export default async function ApplicationPage({ params, searchParams }: { params: Promise<{ appId: string }>; searchParams: Promise<{ created?: string }> }) {
  const { appId } = await params;
  const { created } = await searchParams;
  const actor = await actorForPage(['subscriber'], `/portal/applications/${appId}`);
  const application = await orNotFound(getApplication(actor, appId));
  const [subscriptions, usage] = await Promise.all([listSubscriptionsOfApplication(actor, application.id), applicationUsage(actor, application.id)]);
  const key = application.productionKey;
  // Gateways check JWTs offline, so a publisher's block reaches calls only as current tokens expire.
  const blockNote = key
    ? `A publisher may block a subscription. New tokens leave a blocked API out at once; tokens already issued keep working until they expire, so a block takes effect within this application's token validity (${describeDuration(key.tokenValiditySeconds)}).`
    : blockTakesEffectNote();

  const keysOfType = (keyType: KeyType, shown: ApplicationKeyInfo | null) => (
    <>
      <ApplicationKeysPanel
        applicationId={application.id}
        keyType={keyType}
        applicationKey={shown && { consumerKey: shown.consumerKey, tokenValiditySeconds: shown.tokenValiditySeconds, tokenType: shown.tokenType }}
        maxValiditySeconds={maxTokenLifetimeSeconds()}
        tokenEndpoint={oauthEndpoints().tokenEndpoint}
        generateKeys={generateKeysAction}
        regenerateSecret={regenerateSecretAction}
        updateSettings={updateKeySettingsAction}
      />
      {shown && <AccessTokenPanel applicationId={application.id} keyType={keyType} tokenType={shown.tokenType} generateToken={generateAccessTokenAction} revokeTokens={revokeTokensAction} />}
    </>
  );

  return (
    <Stack spacing={3}>
      <div>
        <TextLink href="/portal/applications">← Applications</TextLink>
        <Typography variant="h1">{application.name}</Typography>
        <Typography color="text.secondary">Application tier: {application.tier}</Typography>
      </div>
      {created && !key && <Alert severity="success">Created {application.name}. Next, generate its production keys, then subscribe it to an API.</Alert>}
      <KeyTypeTabs production={keysOfType('PRODUCTION', key)} sandbox={keysOfType('SANDBOX', application.sandboxKey)} />
      <ApplicationSubscriptions
        subscriptions={subscriptions.map((s) => ({
          id: s.id,
          apiId: s.apiId,
          apiName: s.apiName,
          apiVersion: s.apiVersion,
          apiStateLabel: STATE_LABELS[s.apiState],
          tier: s.tier,
          status: s.status,
        }))}
        blockNote={blockNote}
        unsubscribe={unsubscribeFromApplicationAction}
      />
      <ApplicationUsage usage={usage} />
      <ApplicationSettingsForm
        application={{ id: application.id, name: application.name, tier: application.tier, description: application.description }}
        update={updateApplicationAction}
        remove={deleteApplicationAction}
      />
    </Stack>
  );
}
