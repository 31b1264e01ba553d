'use client';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import dynamic from 'next/dynamic';
import type { ReactNode } from 'react';
import { MAX_EDITABLE_DEFINITION_CHARACTERS } from '@/lib/apis/definition-limits';
import type { StagedDefinition } from '@/lib/apis/definition-uploads.service';
import type { DocumentProblem } from '@/lib/errors';

/**
 * A definition on its way to the server, the same whether it creates an API or replaces one's:
 * the upload route's client, and the file button, editor and progress line both forms show.
 */

export const UPLOAD_ROUTE = '/api/publisher/definitions';

/** CodeMirror loads only when the Paste tab (or an API's Edit definition) is opened: no other page (nor the other tabs) pays for it. */
export const DefinitionEditor = dynamic(() => import('./definition-editor').then((module) => module.DefinitionEditor), {
  ssr: false,
  loading: () => <Skeleton variant="rectangular" height={362} aria-label="Loading the editor" />,
});

/** A refusal of the upload route, with the lines of the text it is about when the check could tell. */
export class DefinitionRefused extends Error {
  constructor(
    message: string,
    readonly problems: DocumentProblem[],
  ) {
    super(message);
  }
}

/**
 * Sends a file or pasted text to the upload route as the raw request body (a File streams from
 * disk; nothing is read into a JavaScript string) and answers the checked upload or the reason.
 */
export async function uploadDefinition(body: Blob | string, fileName: string): Promise<StagedDefinition> {
  let response: Response;
  try {
    response = await fetch(UPLOAD_ROUTE, {
      method: 'POST',
      body,
      headers: { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : body.type || 'application/octet-stream', 'X-Definition-Name': encodeURIComponent(fileName) },
    });
  } catch {
    throw new Error('The definition could not be sent: the portal did not answer. Check the connection and try again.');
  }
  const answer = (await response.json().catch(() => ({}))) as Partial<StagedDefinition> & { error?: string; problems?: DocumentProblem[] };
  if (!response.ok || !answer.id) throw new DefinitionRefused(answer.error ?? `The definition was not accepted (HTTP ${response.status}).`, answer.problems ?? []);
  return answer as StagedDefinition;
}

/** The lines a refusal is about, when the failure is the upload route's refusal; none otherwise. */
export function refusedProblems(failure: unknown): DocumentProblem[] {
  return failure instanceof DefinitionRefused ? failure.problems : [];
}

const DEFINITION_FILE_TYPES = '.json,.yaml,.yml,application/json,application/yaml';

/** A button that opens the file chooser; the chosen file is handed on and the input cleared, so choosing it again works. */
export function DefinitionFileButton({ children, disabled, testId, onFile }: { children: ReactNode; disabled: boolean; testId: string; onFile: (file: File) => void }) {
  return (
    <Button variant="outlined" component="label" disabled={disabled}>
      {children}
      <input
        hidden
        type="file"
        accept={DEFINITION_FILE_TYPES}
        data-testid={testId}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) onFile(file);
        }}
      />
    </Button>
  );
}

/** The editor under its visible label; its text stays with the caller (onChange), so a keystroke re-renders nothing. */
export function DefinitionTextEditor({
  label,
  labelId,
  describedById,
  initialValue,
  onChange,
  problems,
  onTooLarge,
  disabled,
}: {
  label: string;
  labelId: string;
  describedById: string;
  initialValue: string;
  onChange: (text: string) => void;
  problems: DocumentProblem[];
  onTooLarge: () => void;
  disabled: boolean;
}) {
  return (
    <>
      <Typography id={labelId} component="div" sx={{ fontWeight: 500 }}>
        {label}
      </Typography>
      <Box sx={{ width: '100%' }}>
        <DefinitionEditor
          initialValue={initialValue}
          onChange={onChange}
          problems={problems}
          labelId={labelId}
          describedById={describedById}
          maxCharacters={MAX_EDITABLE_DEFINITION_CHARACTERS}
          onTooLarge={onTooLarge}
          disabled={disabled}
        />
      </Box>
    </>
  );
}

/** What is being done with the definition, announced politely, over an indeterminate bar named by `label`. */
export function DefinitionProgress({ text, label }: { text: string; label: string }) {
  return (
    <Box role="status" aria-live="polite" sx={{ width: '100%' }}>
      <Typography variant="body2">{text}</Typography>
      <LinearProgress aria-label={label} />
    </Box>
  );
}
