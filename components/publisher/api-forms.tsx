'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { useActionState, useRef, useState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { TIER_NAMES, TIERS } from '@/lib/apis/tiers';
import { Field, FormMessage, SubmitButton } from '../forms/fields';

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

export interface ApiSettingsValues {
  description: string;
  tags: string[];
  visibility: 'public' | 'private';
  subscriptionApproval: boolean;
  productionEndpoints: string[];
  tiers: string[];
  security: { oauth2: boolean; basic: boolean };
  cors: { enabled: boolean; allowedOrigins: string[] };
}

const defaults: ApiSettingsValues = {
  description: '',
  tags: [],
  visibility: 'public',
  subscriptionApproval: false,
  productionEndpoints: [],
  tiers: ['Unlimited', 'Gold', 'Silver', 'Bronze'],
  security: { oauth2: true, basic: false },
  cors: { enabled: false, allowedOrigins: [] },
};

function echoedList(state: ActionState, name: string): string[] | undefined {
  const value = state.values?.[name];
  return value === undefined ? undefined : [value].flat();
}

/** The fields create and edit share: endpoints, description, tags, visibility, tiers, security, CORS. */
function ApiSettingsFields({ state, values }: { state: ActionState; values: ApiSettingsValues }) {
  const tiers = echoedList(state, 'tiers') ?? (state.values ? [] : values.tiers);
  const checked = (name: string, fallback: boolean) => (state.values ? state.values[name] === 'on' : fallback);
  return (
    <Stack spacing={2}>
      <Field name="productionEndpoints" label="Production endpoint URL(s)" helperText="One per line; the gateway forwards to them in turn." multiline minRows={1} state={state} defaultValue={values.productionEndpoints.join('\n')} required />
      <Field name="description" label="Description" multiline minRows={2} state={state} defaultValue={values.description} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <Field name="tags" label="Tags" helperText="Comma separated." state={state} defaultValue={values.tags.join(', ')} />
        <Field
          name="visibility"
          label="Visibility on the portal"
          select
          state={state}
          defaultValue={values.visibility}
          helperText="Private: listed for this tenant's signed-in developers only; its documentation, gateways and Try Out open once you approve a subscription."
        >
          <MenuItem value="public">Public: visitors see it too</MenuItem>
          <MenuItem value="private">Private: only approved subscribers</MenuItem>
        </Field>
      </Stack>
      <FormControlLabel
        control={<Checkbox name="subscriptionApproval" defaultChecked={checked('subscriptionApproval', values.subscriptionApproval)} />}
        label="Subscriptions need a publisher's approval (always, for a private API); requests wait on the Subscriptions tab"
      />
      <FormControl error={!!state.fieldErrors?.tiers} component="fieldset">
        <FormLabel component="legend">Subscription tiers offered</FormLabel>
        <FormGroup row key={tiers.join()}>
          {TIER_NAMES.map((tier) => (
            <FormControlLabel key={tier} control={<Checkbox name="tiers" value={tier} defaultChecked={tiers.includes(tier)} />} label={`${tier} (${TIERS[tier].description})`} />
          ))}
        </FormGroup>
        {state.fieldErrors?.tiers && <FormHelperText>{state.fieldErrors.tiers.join(' ')}</FormHelperText>}
      </FormControl>
      <FormControl error={!!state.fieldErrors?.securityOauth2} component="fieldset">
        <FormLabel component="legend">Security</FormLabel>
        <FormGroup row>
          <FormControlLabel
            control={<Checkbox name="securityOauth2" defaultChecked={checked('securityOauth2', values.security.oauth2)} />}
            label="Require an access token of a subscribed application (OAuth2: JWT or opaque)"
          />
        </FormGroup>
        <FormHelperText>
          {state.fieldErrors?.securityOauth2?.join(' ') ??
            'Unticked, anyone who reaches the gateway may call the API, without a subscription or a rate limit; operations marked security: [] are always open.'}
        </FormHelperText>
      </FormControl>
      <FormControlLabel control={<Checkbox name="corsEnabled" defaultChecked={checked('corsEnabled', values.cors.enabled)} />} label="Allow browser calls from other origins (CORS); the portal's Try Out is always allowed" />
      <Field name="corsOrigins" label="Allowed origins" helperText="One per line, e.g. https://app.example.com." multiline state={state} defaultValue={values.cors.allowedOrigins.join('\n')} />
    </Stack>
  );
}

function DefinitionInput({ state, source }: { state: ActionState; source: string }) {
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  if (source === 'url') {
    return <Field name="definitionUrl" label="Definition URL" placeholder="https://example.com/openapi.yaml" state={state} required />;
  }
  return (
    <Stack spacing={1}>
      {source === 'file' && (
        <Box>
          <Button variant="outlined" component="label">
            Choose an OpenAPI or Swagger file
            <input
              hidden
              type="file"
              accept=".json,.yaml,.yml,application/json,application/yaml"
              data-testid="definition-file"
              onChange={async (event) => {
                const file = event.target.files?.[0];
                if (!file || !textRef.current) return;
                textRef.current.value = await file.text();
                setFileName(file.name);
              }}
            />
          </Button>
          {fileName && <Typography variant="body2" sx={{ mt: 1 }}>Loaded {fileName}</Typography>}
        </Box>
      )}
      <Field
        name="definition"
        label={source === 'file' ? 'Definition (from the file)' : 'OpenAPI 3 or Swagger 2.0 (JSON or YAML)'}
        multiline
        minRows={source === 'file' ? 3 : 8}
        state={state}
        slotProps={{ htmlInput: { ref: textRef, spellCheck: false, style: { fontFamily: 'ui-monospace, monospace', fontSize: 13 } } }}
      />
    </Stack>
  );
}

export function CreateApiForm({ action }: { action: FormAction }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const [source, setSource] = useState<string>(typeof state.values?.source === 'string' ? state.values.source : 'scratch');
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <FormMessage state={state} />
          <Tabs value={source} onChange={(_, value) => setSource(value)} aria-label="How to define the API">
            <Tab value="scratch" label="From scratch" />
            <Tab value="file" label="Import a file" />
            <Tab value="paste" label="Paste a definition" />
            <Tab value="url" label="Import from a URL" />
          </Tabs>
          <input type="hidden" name="source" value={source} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field name="name" label="Name" state={state} required />
            <Field name="version" label="Version" placeholder="1.0.0" state={state} required />
            <Field name="context" label="Context" placeholder="/pets" helperText="Gateways serve the API at /<context>/<version>." state={state} required />
          </Stack>
          {source === 'scratch' ? (
            <Field name="resources" label="Resources" helperText='One per line: a method and a path, e.g. "GET /pets/{petId}".' multiline minRows={3} state={state} defaultValue="GET /" />
          ) : (
            <DefinitionInput state={state} source={source} />
          )}
          <ApiSettingsFields state={state} values={defaults} />
          <SubmitButton sx={{ alignSelf: 'start' }}>Create API</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}

export function EditApiForm({ action, apiId, values, resources, deployed }: { action: FormAction; apiId: string; values: ApiSettingsValues; resources: string; deployed: boolean }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <FormMessage state={state} />
          {deployed && <Alert severity="info">This API is deployed: saving re-applies its gateways in every selected cluster.</Alert>}
          <input type="hidden" name="apiId" value={apiId} />
          <Field name="resources" label="Resources" helperText='One per line: a method and a path, e.g. "GET /pets/{petId}". Only these are routed.' multiline minRows={3} state={state} defaultValue={resources} />
          <ApiSettingsFields state={state} values={values} />
          <SubmitButton sx={{ alignSelf: 'start' }}>Save</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}

export function NewVersionForm({ action, apiId }: { action: FormAction; apiId: string }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <form action={formAction} noValidate>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'start' }}>
        <input type="hidden" name="apiId" value={apiId} />
        <Field name="version" label="New version" state={state} sx={{ maxWidth: 200 }} />
        <SubmitButton variant="outlined">Create new version</SubmitButton>
      </Stack>
      {state.status === 'error' && !state.fieldErrors?.version && <FormMessage state={state} />}
    </form>
  );
}
