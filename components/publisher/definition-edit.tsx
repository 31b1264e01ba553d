'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import FormHelperText from '@mui/material/FormHelperText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useRef, useState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { definitionTooLargeMessage, formatBytes, MAX_EDITABLE_DEFINITION_CHARACTERS } from '@/lib/apis/definition-limits';
import type { DocumentProblem } from '@/lib/errors';
import { DefinitionFileButton, DefinitionProgress, DefinitionTextEditor, refusedProblems, uploadDefinition } from './definition-upload';

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

const TOO_LARGE_TO_EDIT = `This definition is larger than the ${formatBytes(MAX_EDITABLE_DEFINITION_CHARACTERS)} the editor takes. Import the changed file instead: it is checked on the server like any import.`;

/**
 * The stored document as YAML, the form people edit definitions in (the database keeps JSON, so
 * the original layout and comments are not kept). The YAML library loads with the editor, on demand.
 */
async function editableText(viewHref: string): Promise<string> {
  const response = await fetch(viewHref, { cache: 'no-store' });
  if (!response.ok) throw new Error(`The definition could not be read (HTTP ${response.status}). Reload the page and try again.`);
  const [json, { stringify }] = await Promise.all([response.json() as Promise<unknown>, import('yaml')]);
  return stringify(json, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * "Edit definition" on an API's page: the current definition opens in the editor; saving sends the
 * text through the same checked upload route as an import (problems come back marked at their
 * lines, the text stays), then the page's action replaces the stored document at the revision the
 * editor was opened at. A definition too large for the editor is replaced by importing a file.
 */
export function DefinitionEdit({ action, apiId, revision, storedBytes, viewHref, maxBytes }: { action: FormAction; apiId: string; revision: number; storedBytes: number; viewHref: string; maxBytes: number }) {
  const [mode, setMode] = useState<'closed' | 'loading' | 'editing' | 'import'>('closed');
  const [openedAt, setOpenedAt] = useState(revision);
  const text = useRef('');
  const [problems, setProblems] = useState<DocumentProblem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function open() {
    setError(null);
    setSaved(null);
    setProblems([]);
    setOpenedAt(revision);
    if (storedBytes > MAX_EDITABLE_DEFINITION_CHARACTERS) {
      setMode('import');
      return;
    }
    setMode('loading');
    try {
      const yamlText = await editableText(viewHref);
      if (yamlText.length > MAX_EDITABLE_DEFINITION_CHARACTERS) {
        setMode('import');
        return;
      }
      text.current = yamlText;
      setMode('editing');
    } catch (failure) {
      setError((failure as Error).message);
      setMode('closed');
    }
  }

  /** Checks the text or file on the upload route, then saves the checked upload; on any refusal the editor keeps the text. */
  async function save(body: Blob | string, fileName: string, size: number) {
    setError(null);
    if (size > maxBytes) {
      setError(definitionTooLargeMessage(maxBytes));
      return;
    }
    setBusy(`Checking ${fileName || 'the definition'} (${formatBytes(size)})…`);
    try {
      const upload = await uploadDefinition(body, fileName);
      setProblems([]);
      setBusy('Saving the definition…');
      const formData = new FormData();
      formData.set('apiId', apiId);
      formData.set('definitionUpload', upload.id);
      formData.set('revision', String(openedAt));
      const result = await action({ status: 'idle' }, formData);
      if (result.status === 'error') {
        setError(result.message ?? 'The definition was not saved.');
        return;
      }
      setSaved(result.message ?? 'Saved the definition.');
      setMode('closed');
    } catch (failure) {
      setError((failure as Error).message);
      setProblems(refusedProblems(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack spacing={1} sx={{ alignItems: 'start' }}>
      {saved && (
        <Alert severity="success" role="status" sx={{ width: '100%' }}>
          {saved}
        </Alert>
      )}
      {mode === 'closed' || mode === 'loading' ? (
        <Button variant="outlined" onClick={() => void open()} disabled={mode === 'loading'}>
          Edit definition
        </Button>
      ) : mode === 'import' ? (
        <Alert severity="info" sx={{ width: '100%' }}>
          <Typography variant="body2" sx={{ mb: 1 }}>
            {TOO_LARGE_TO_EDIT}
          </Typography>
          <Stack direction="row" spacing={1}>
            <DefinitionFileButton disabled={!!busy} testId="definition-replace-file" onFile={(file) => void save(file, file.name, file.size)}>
              Import a changed file
            </DefinitionFileButton>
            <Button onClick={() => setMode('closed')} disabled={!!busy}>
              Cancel
            </Button>
          </Stack>
        </Alert>
      ) : (
        <>
          <DefinitionTextEditor
            label="Definition (YAML; JSON works too)"
            labelId="definition-edit-label"
            describedById="definition-edit-help"
            initialValue={text.current}
            onChange={(changed) => {
              text.current = changed;
            }}
            problems={problems}
            onTooLarge={() => setError(TOO_LARGE_TO_EDIT)}
            disabled={!!busy}
          />
          <Stack direction="row" spacing={1}>
            <Button
              variant="contained"
              disabled={!!busy}
              onClick={() => {
                const current = text.current;
                if (!current.trim()) setError('The definition is empty.');
                else void save(current, '', new Blob([current]).size);
              }}
            >
              Save definition
            </Button>
            <Button disabled={!!busy} onClick={() => setMode('closed')}>
              Cancel
            </Button>
          </Stack>
        </>
      )}
      {(busy || mode === 'loading') && (
        <DefinitionProgress text={busy ?? 'Loading the definition…'} label={busy ? 'Saving the definition' : 'Loading the definition'} />
      )}
      {(mode === 'editing' || mode === 'import' || error) && (
        <FormHelperText error={!!error} id="definition-edit-help" data-testid="definition-edit-help" role={error ? 'alert' : undefined}>
          {error ??
            (mode === 'editing'
              ? `Saving checks the definition first; problems are marked at their lines and nothing is saved until it passes. Its operations replace the routed resources; deployed gateways are updated.`
              : `OpenAPI 3.x or Swagger 2.0, JSON or YAML, up to ${formatBytes(maxBytes)}.`)}
        </FormHelperText>
      )}
    </Stack>
  );
}
