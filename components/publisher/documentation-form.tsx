'use client';
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useActionState, useState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { MAX_DOCUMENTATION_CHARACTERS } from '@/lib/apis/api-documentation.schema';
import { SafeMarkdown } from '../markdown/safe-markdown';
import { FormMessage, SubmitButton } from '../forms/fields';

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * The publisher's Markdown guide to an API, with a preview rendered by the same safe renderer the
 * portal uses, so what the preview shows is exactly what developers get (no HTML, no images, only
 * http, https and mailto links).
 */
export function DocumentationForm({ action, apiId, markdown }: { action: FormAction; apiId: string; markdown: string }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const echoed = state.values?.markdown;
  const [text, setText] = useState(typeof echoed === 'string' ? echoed : markdown);
  const [view, setView] = useState<'write' | 'preview'>('write');
  const errors = state.fieldErrors?.markdown;
  const over = text.length > MAX_DOCUMENTATION_CHARACTERS;
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction} noValidate>
        <Stack spacing={2}>
          <FormMessage state={state} />
          <Typography color="text.secondary">
            Developers see this guide as the Documentation tab of the API&apos;s Overview in the Developer Portal. Markdown with GitHub tables;
            HTML is not rendered, images are shown as their alt text, and only http, https and mailto links are kept.
          </Typography>
          <input type="hidden" name="apiId" value={apiId} />
          {/* The text is always in the form, also while the preview is shown. */}
          <input type="hidden" name="markdown" value={text} />
          <Tabs value={view} onChange={(_, value) => setView(value)} aria-label="Documentation editor">
            <Tab value="write" label="Write" id="documentation-write-tab" aria-controls="documentation-write-panel" />
            <Tab value="preview" label="Preview" id="documentation-preview-tab" aria-controls="documentation-preview-panel" />
          </Tabs>
          <Box role="tabpanel" id="documentation-write-panel" aria-labelledby="documentation-write-tab" hidden={view !== 'write'}>
            <TextField
              id="documentation-markdown"
              label="Documentation (Markdown)"
              multiline
              minRows={14}
              maxRows={40}
              fullWidth
              value={text}
              onChange={(event) => setText(event.target.value)}
              error={!!errors || over}
              helperText={
                errors?.join(' ') ??
                `${text.length.toLocaleString('en')} of ${MAX_DOCUMENTATION_CHARACTERS.toLocaleString('en')} characters.${text.trim() ? '' : ' Saved empty, the portal shows no Documentation tab.'}`
              }
              slotProps={{ htmlInput: { spellCheck: true, style: { fontFamily: 'ui-monospace, monospace', fontSize: 14 } } }}
            />
          </Box>
          <Box role="tabpanel" id="documentation-preview-panel" aria-labelledby="documentation-preview-tab" hidden={view !== 'preview'} data-testid="documentation-preview">
            {view === 'preview' &&
              (text.trim() ? <SafeMarkdown markdown={text} /> : <Typography color="text.secondary">Nothing written yet.</Typography>)}
          </Box>
          <SubmitButton sx={{ alignSelf: 'start' }} disabled={over}>
            Save documentation
          </SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
