'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { Field, FormMessage, SubmitButton } from '../forms/fields';
import type { SubscriptionStatus } from '@/lib/db/schema';
import { TextLink } from '../link-button';
import { SubscriptionStatusChip } from './subscription-status-chip';

export interface ExistingSubscription {
  id: string;
  applicationId: string;
  applicationName: string;
  tier: string;
  status: SubscriptionStatus;
}

/** A request the publisher has not approved is withdrawn rather than unsubscribed. */
const withdrawable = (status: SubscriptionStatus) => status === 'ON_HOLD' || status === 'REJECTED';

/** Subscribing one of the developer's applications to this API, and the subscriptions they have. */
export function SubscribePanel({
  apiId,
  deprecated,
  needsApproval,
  tiers,
  applications,
  subscriptions,
  subscribe,
  unsubscribe,
}: {
  apiId: string;
  deprecated: boolean;
  /** New subscriptions wait for the publisher's approval. */
  needsApproval: boolean;
  tiers: { name: string; description: string }[];
  applications: { id: string; name: string }[];
  subscriptions: ExistingSubscription[];
  subscribe: (state: ActionState, formData: FormData) => Promise<ActionState>;
  unsubscribe: (subscriptionId: string) => Promise<ActionState<unknown>>;
}) {
  const [state, formAction] = useActionState(subscribe, { status: 'idle' });
  const [pending, startTransition] = useTransition();
  const [unsubscribeError, setUnsubscribeError] = useState<string | null>(null);
  const subscribed = new Set(subscriptions.map((s) => s.applicationId));
  const available = applications.filter((application) => !subscribed.has(application.id));

  function remove(subscription: ExistingSubscription) {
    setUnsubscribeError(null);
    startTransition(async () => {
      const result = await unsubscribe(subscription.id);
      if (result.status === 'error') setUnsubscribeError(`${subscription.applicationName}: ${result.message}`);
    });
  }

  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="subscribe-heading">
      <Stack spacing={2}>
        <Typography variant="h2" id="subscribe-heading">
          Subscriptions
        </Typography>
        {subscriptions.length > 0 && (
          <List dense aria-label="Your subscriptions to this API" disablePadding>
            {subscriptions.map((subscription) => (
              <ListItem
                key={subscription.id}
                disableGutters
                data-testid={`subscription-${subscription.applicationName}`}
                secondaryAction={
                  <Button
                    size="small"
                    color="error"
                    disabled={pending}
                    onClick={() => remove(subscription)}
                    aria-label={`${withdrawable(subscription.status) ? 'Withdraw' : 'Unsubscribe'} ${subscription.applicationName}`}
                  >
                    {withdrawable(subscription.status) ? 'Withdraw' : 'Unsubscribe'}
                  </Button>
                }
              >
                <ListItemText
                  primary={<TextLink href={`/portal/applications/${subscription.applicationId}`}>{subscription.applicationName}</TextLink>}
                  secondary={
                    <>
                      {subscription.tier}
                      {subscription.status !== 'ACTIVE' && <SubscriptionStatusChip status={subscription.status} viewer="developer" sx={{ ml: 1 }} />}
                    </>
                  }
                />
              </ListItem>
            ))}
          </List>
        )}
        {unsubscribeError && <Alert severity="error">{unsubscribeError}</Alert>}
        {/* Outside the form: after the last application subscribes the form goes, the confirmation stays. */}
        <FormMessage state={state} success="Subscribed." />
        {deprecated ? (
          <Alert severity="warning">This API is deprecated: existing subscriptions keep working, but it takes no new ones.</Alert>
        ) : applications.length === 0 ? (
          <Alert severity="info">
            To subscribe, first <TextLink href="/portal/applications">create an application</TextLink>: subscriptions and access tokens belong to an application.
          </Alert>
        ) : available.length === 0 ? (
          <Typography color="text.secondary">All your applications are subscribed to this API.</Typography>
        ) : (
          <form action={formAction} noValidate>
            <input type="hidden" name="apiId" value={apiId} />
            <Stack spacing={2}>
              <Field key={`app-${available.length}`} name="applicationId" label="Application" select state={state} defaultValue={available[0]!.id} required>
                {available.map((application) => (
                  <MenuItem key={application.id} value={application.id}>
                    {application.name}
                  </MenuItem>
                ))}
              </Field>
              <Field name="tier" label="Tier" select state={state} defaultValue={tiers[0]?.name ?? ''} required>
                {tiers.map((tier) => (
                  <MenuItem key={tier.name} value={tier.name}>
                    {tier.name}
                    {tier.description && ` — ${tier.description}`}
                  </MenuItem>
                ))}
              </Field>
              {needsApproval && (
                <Typography variant="body2" color="text.secondary">
                  The publisher approves each subscription to this API. Until then tokens of the application cannot call it.
                </Typography>
              )}
              <SubmitButton sx={{ alignSelf: 'start' }}>{needsApproval ? 'Request subscription' : 'Subscribe'}</SubmitButton>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}
