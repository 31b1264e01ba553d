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
import Link from '@mui/material/Link';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { useActionState, useRef, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { definitionTooLargeMessage, formatBytes, MAX_EDITABLE_DEFINITION_CHARACTERS } from '@/lib/apis/definition-limits';
import type { StagedDefinition } from '@/lib/apis/definition-uploads.service';
import type { DocumentProblem } from '@/lib/errors';
import { TIER_NAMES, TIERS } from '@/lib/tiers';
import { Field, FormMessage, SubmitButton } from '../forms/fields';
import { suggestedApiIdentity } from '@/lib/apis/definition-suggestions';
import { definitionSummaryLine } from './definition-summary';
import {
  DefinitionFileButton,
  DefinitionProgress,
  DefinitionTextEditor,
  refusedProblems,
  UPLOAD_ROUTE,
  uploadDefinition,
} from './definition-upload';

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

export interface ApiSettingsValues {
  description: string;
  tags: string[];
  visibility: 'public' | 'private';
  subscriptionApproval: boolean;
  productionEndpoints: string[];
  sandboxEndpoints: string[];
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
  sandboxEndpoints: [],
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
      <Field
        name="sandboxEndpoints"
        label="Sandbox endpoint URL(s)"
        helperText="Optional, one per line: where tokens of applications' sandbox keys go, such as a test backend. Without one, gateways refuse sandbox tokens."
        multiline
        minRows={1}
        state={state}
        defaultValue={values.sandboxEndpoints.join('\n')}
      />
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
          <FormControlLabel
            control={<Checkbox name="securityBasic" defaultChecked={checked('securityBasic', values.security.basic)} />}
            label="Also accept Basic credentials of a cluster's users"
          />
        </FormGroup>
        <FormHelperText>
          {state.fieldErrors?.securityOauth2?.join(' ') ??
            "Unticked, anyone who reaches the gateway may call the API, without a subscription or a rate limit; operations marked security: [] are always open. Basic users (and tokens of a cluster's own JWT issuer) come from the cluster's admin, not from subscriptions: they are not tied to an application, a tier or a rate limit. Basic works only on clusters that name a Basic Secret (see the Environments tab)."}
        </FormHelperText>
      </FormControl>
      <FormControlLabel control={<Checkbox name="corsEnabled" defaultChecked={checked('corsEnabled', values.cors.enabled)} />} label="Allow browser calls from other origins (CORS); the portal's Try Out is always allowed" />
      <Field name="corsOrigins" label="Allowed origins" helperText="One per line, e.g. https://app.example.com." multiline state={state} defaultValue={values.cors.allowedOrigins.join('\n')} />
    </Stack>
  );
}

const EDITOR_LIMIT_MESSAGE = `The editor takes definitions up to ${formatBytes(MAX_EDITABLE_DEFINITION_CHARACTERS)}. Import a larger one on the "Import a file" tab: it is checked on the server and shown as a summary.`;

function UploadedSummary({ upload, onReplace, replaceLabel }: { upload: StagedDefinition; onReplace: () => void; replaceLabel: string }) {
  return (
    <Alert
      severity="success"
      data-testid="definition-upload-summary"
      action={
        <Button color="inherit" size="small" onClick={onReplace}>
          {replaceLabel}
        </Button>
      }
    >
      <Typography component="div" sx={{ fontWeight: 600 }}>
        {upload.fileName ? `${upload.fileName}: ` : ''}checked
      </Typography>
      <Typography component="div" variant="body2">
        {definitionSummaryLine(upload.summary)}
      </Typography>
      <Link href={`${UPLOAD_ROUTE}/${upload.id}`} target="_blank" rel="noopener" variant="body2">
        View it as checked (read-only)
      </Link>
    </Alert>
  );
}

/**
 * File and paste imports: the text goes to the upload route (size limit enforced while it
 * streams, checked in the bounded worker) and the form carries the upload's id. A file is never
 * read into the page; a paste is written in the editor (up to MAX_EDITABLE_DEFINITION_CHARACTERS),
 * whose problems the check marks at their lines, and gives way to the summary once it passes.
 */
function DefinitionInput({
  state,
  source,
  maxBytes,
  upload,
  onUpload,
  uploading,
  setUploading,
  pasteRef,
  problems,
  setProblems,
}: {
  state: ActionState;
  source: string;
  maxBytes: number;
  upload: StagedDefinition | null;
  onUpload: (upload: StagedDefinition | null) => void;
  uploading: string | null;
  setUploading: (what: string | null) => void;
  /** The editor's text, kept out of React state: a keystroke re-renders nothing. */
  pasteRef: React.RefObject<string>;
  problems: DocumentProblem[];
  setProblems: (problems: DocumentProblem[]) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const fieldError = error ?? state.fieldErrors?.definition?.join(' ') ?? null;
  const limitText =
    source === 'paste'
      ? `Write or paste up to ${formatBytes(Math.min(maxBytes, MAX_EDITABLE_DEFINITION_CHARACTERS))} here; problems found by the check are marked at their lines. Larger definitions (up to ${formatBytes(maxBytes)}) go through "Import a file".`
      : `OpenAPI 3.x or Swagger 2.0, JSON or YAML, up to ${formatBytes(maxBytes)}.`;

  async function send(body: Blob | string, fileName: string, size: number) {
    setError(null);
    if (size > maxBytes) {
      setError(definitionTooLargeMessage(maxBytes));
      return;
    }
    setUploading(`Checking ${fileName || 'the pasted definition'} (${formatBytes(size)})…`);
    try {
      onUpload(await uploadDefinition(body, fileName));
      setProblems([]);
    } catch (failure) {
      setError((failure as Error).message);
      setProblems(refusedProblems(failure));
    } finally {
      setUploading(null);
    }
  }

  if (source === 'url') {
    return <Field name="definitionUrl" label="Definition URL" placeholder="https://example.com/openapi.yaml" state={state} helperText={limitText} required />;
  }
  return (
    <Stack spacing={1}>
      {upload ? (
        <UploadedSummary upload={upload} onReplace={() => onUpload(null)} replaceLabel={source === 'file' ? 'Choose another' : 'Edit the definition'} />
      ) : source === 'file' ? (
        <Box>
          <DefinitionFileButton disabled={!!uploading} testId="definition-file" onFile={(file) => void send(file, file.name, file.size)}>
            Choose an OpenAPI or Swagger file
          </DefinitionFileButton>
        </Box>
      ) : (
        <Stack spacing={1} sx={{ alignItems: 'start' }}>
          <DefinitionTextEditor
            label="Definition: OpenAPI 3 or Swagger 2.0, JSON or YAML"
            labelId="definition-editor-label"
            describedById="definition-help"
            initialValue={pasteRef.current}
            onChange={(text) => {
              pasteRef.current = text;
            }}
            problems={problems}
            onTooLarge={() => setError(EDITOR_LIMIT_MESSAGE)}
            disabled={!!uploading}
          />
          <Button
            variant="outlined"
            disabled={!!uploading}
            onClick={() => {
              const text = pasteRef.current;
              if (!text.trim()) setError('Write or paste an OpenAPI definition first.');
              else void send(text, '', new Blob([text]).size);
            }}
          >
            Check the definition
          </Button>
        </Stack>
      )}
      {uploading && <DefinitionProgress text={uploading} label="Checking the definition" />}
      <FormHelperText error={!!fieldError} id="definition-help" data-testid="definition-help">
        {fieldError ?? limitText}
      </FormHelperText>
    </Stack>
  );
}

export function CreateApiForm({ action, maxDefinitionBytes }: { action: FormAction; maxDefinitionBytes: number }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const [source, setSource] = useState<string>(typeof state.values?.source === 'string' ? state.values.source : 'scratch');
  const [upload, setUpload] = useState<StagedDefinition | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const pasteRef = useRef('');
  const [problems, setProblems] = useState<DocumentProblem[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const [, startTransition] = useTransition();
  const importing = source === 'file' || source === 'paste';
  // Name, version and context the definition proposes; a remount (key) shows them in the fields.
  const [identity, setIdentity] = useState<{ key: number; name?: string; version?: string; context?: string }>({ key: 0 });

  /** Fills whichever of name, version and context are still empty from the checked definition; typed values stay. */
  function acceptUpload(uploaded: StagedDefinition | null): { name: string; version: string; context: string } | null {
    setUpload(uploaded);
    if (!uploaded || !formRef.current) return null;
    const suggested = suggestedApiIdentity(uploaded.summary);
    const current = (field: 'name' | 'version' | 'context') => (formRef.current!.elements.namedItem(field) as HTMLInputElement | null)?.value.trim() ?? '';
    const filled = { name: current('name') || suggested.name, version: current('version') || suggested.version, context: current('context') || suggested.context };
    setIdentity((previous) => ({ key: previous.key + 1, ...filled }));
    return filled;
  }

  // A paste that was not checked yet is uploaded first; then the form goes with the upload's id.
  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    const pasted = source === 'paste' && !upload ? pasteRef.current : '';
    if (!pasted.trim()) return;
    event.preventDefault();
    const form = event.currentTarget;
    setSubmitError(null);
    const size = new Blob([pasted]).size;
    if (size > maxDefinitionBytes) {
      setSubmitError(definitionTooLargeMessage(maxDefinitionBytes));
      return;
    }
    setUploading(`Checking the pasted definition (${formatBytes(size)})…`);
    try {
      const uploaded = await uploadDefinition(pasted, '');
      const filled = acceptUpload(uploaded);
      const formData = new FormData(form);
      if (filled) for (const [field, value] of Object.entries(filled)) formData.set(field, value);
      formData.set('definitionUpload', uploaded.id);
      setProblems([]);
      startTransition(() => formAction(formData));
    } catch (failure) {
      setSubmitError((failure as Error).message);
      setProblems(refusedProblems(failure));
    } finally {
      setUploading(null);
    }
  }

  return (
    <Paper sx={{ p: 3 }}>
      <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate>
        <Stack spacing={2}>
          <FormMessage state={state} />
          {submitError && (
            <Alert severity="error" role="alert">
              {submitError}
            </Alert>
          )}
          <Tabs
            value={source}
            onChange={(_, value) => {
              setSource(value);
              setUpload(null);
              setProblems([]);
            }}
            aria-label="How to define the API"
          >
            <Tab value="scratch" label="From scratch" />
            <Tab value="file" label="Import a file" />
            <Tab value="paste" label="Paste a definition" />
            <Tab value="url" label="Import from a URL" />
          </Tabs>
          <input type="hidden" name="source" value={source} />
          <input type="hidden" name="definitionUpload" value={importing && upload ? upload.id : ''} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <Field key={`name-${identity.key}`} name="name" label="Name" state={state} defaultValue={identity.name} required />
            <Field key={`version-${identity.key}`} name="version" label="Version" placeholder="1.0.0" state={state} defaultValue={identity.version} required />
            <Field
              key={`context-${identity.key}`}
              name="context"
              label="Context"
              placeholder="/pets"
              helperText="Gateways serve the API at /<context>/<version>."
              state={state}
              defaultValue={identity.context}
              required
            />
          </Stack>
          {source === 'scratch' ? (
            <Field name="resources" label="Resources" helperText='One per line: a method and a path, e.g. "GET /pets/{petId}".' multiline minRows={3} state={state} defaultValue="GET /" />
          ) : (
            <DefinitionInput
              state={state}
              source={source}
              maxBytes={maxDefinitionBytes}
              upload={upload}
              onUpload={acceptUpload}
              uploading={uploading}
              setUploading={setUploading}
              pasteRef={pasteRef}
              problems={problems}
              setProblems={setProblems}
            />
          )}
          <ApiSettingsFields state={state} values={defaults} />
          <SubmitButton sx={{ alignSelf: 'start' }} disabled={!!uploading}>
            Create API
          </SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}

export function EditApiForm({ action, apiId, revision, values, resources, deployed }: { action: FormAction; apiId: string; revision: number; values: ApiSettingsValues; resources: string; deployed: boolean }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <FormMessage state={state} />
          {deployed && <Alert severity="info">This API is deployed: saving re-applies its gateways in every selected cluster.</Alert>}
          <input type="hidden" name="apiId" value={apiId} />
          <input type="hidden" name="revision" value={revision} />
          {/* A definition saved in the editor changes the lines: the field starts again from them rather than keep (and later save) the old ones. */}
          <Field
            key={resources}
            name="resources"
            label="Resources"
            helperText='One per line: a method and a path, e.g. "GET /pets/{petId}". Only these are routed.'
            multiline
            minRows={3}
            state={state}
            defaultValue={resources}
          />
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
