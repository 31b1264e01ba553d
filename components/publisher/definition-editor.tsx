'use client';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import Box from '@mui/material/Box';
import CodeMirror, { type ReactCodeMirrorRef } from '@uiw/react-codemirror';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DocumentProblem } from '@/lib/errors';

/**
 * The definition editor (CodeMirror 6): YAML or JSON highlighting, line numbers, and the problems
 * the server's check found marked at their lines. Loaded on demand (next/dynamic) by the create
 * form's Paste tab, so no other page downloads it. Documents are held to `maxCharacters`: an
 * editor is for what a person reads and changes; larger definitions are imported as files.
 */

/** Colours from the MUI theme's CSS variables: the editor follows light and dark mode, with the contrast the rest of the UI has. */
const editorTheme = EditorView.theme({
  '&': { color: 'var(--mui-palette-text-primary)', backgroundColor: 'var(--mui-palette-background-paper)', fontSize: '13px' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', caretColor: 'var(--mui-palette-text-primary)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--mui-palette-text-primary)' },
  '.cm-gutters': { backgroundColor: 'var(--mui-palette-background-paper)', color: 'var(--mui-palette-text-secondary)', borderRight: '1px solid var(--mui-palette-divider)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--mui-palette-action-hover)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--mui-palette-action-selected)' },
  '&.cm-focused': { outline: '2px solid var(--mui-palette-primary-main)', outlineOffset: '-2px' },
  '.cm-tooltip': { backgroundColor: 'var(--mui-palette-background-paper)', color: 'var(--mui-palette-text-primary)', border: '1px solid var(--mui-palette-divider)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--mui-palette-error-main)' },
});

const highlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--mui-palette-primary-main)' },
    { tag: [tags.string, tags.special(tags.string), tags.content], color: 'var(--mui-palette-success-main)' },
    { tag: [tags.number, tags.bool, tags.null, tags.atom, tags.keyword], color: 'var(--mui-palette-secondary-main)' },
    { tag: [tags.comment, tags.meta], color: 'var(--mui-palette-text-secondary)', fontStyle: 'italic' },
    { tag: tags.invalid, color: 'var(--mui-palette-error-main)' },
  ]),
);

function startsAsJson(text: string): boolean {
  return /^[\s\uFEFF]*[{[]/.test(text.slice(0, 1024));
}

/** A problem's line and column as a range of the document: the rest of the line from the column, clamped to what exists. */
export function problemDiagnostics(state: EditorState, problems: DocumentProblem[]): Diagnostic[] {
  return problems
    .filter((problem) => problem.line >= 1)
    .map((problem) => {
      const line = state.doc.line(Math.min(problem.line, state.doc.lines));
      const from = line.from + Math.min(Math.max((problem.column ?? 1) - 1, 0), line.length);
      return { from, to: Math.max(from, line.to), severity: 'error' as const, message: problem.message };
    });
}

export function DefinitionEditor({
  initialValue,
  onChange,
  problems,
  labelId,
  describedById,
  maxCharacters,
  onTooLarge,
  disabled,
}: {
  initialValue: string;
  onChange: (text: string) => void;
  problems: DocumentProblem[];
  labelId: string;
  describedById: string;
  maxCharacters: number;
  /** A change that would make the document larger than `maxCharacters` was refused. */
  onTooLarge: () => void;
  disabled?: boolean;
}) {
  const editor = useRef<ReactCodeMirrorRef>(null);
  const [isJson, setIsJson] = useState(() => startsAsJson(initialValue));
  const tooLarge = useRef(onTooLarge);
  tooLarge.current = onTooLarge;

  const extensions = useMemo<Extension[]>(
    () => [
      isJson ? json() : yaml(),
      lintGutter(),
      editorTheme,
      highlighting,
      EditorView.contentAttributes.of({ 'aria-labelledby': labelId, 'aria-describedby': describedById }),
      // Refused before it enters the document: a 13 MB paste never reaches the editor's state.
      EditorState.transactionFilter.of((transaction) => {
        if (transaction.docChanged && transaction.newDoc.length > maxCharacters) {
          tooLarge.current();
          return [];
        }
        return transaction;
      }),
    ],
    [isJson, labelId, describedById, maxCharacters],
  );

  // The server's answer (or its absence after a successful check) replaces the marks.
  useEffect(() => {
    const view = editor.current?.view;
    if (view) view.dispatch(setDiagnostics(view.state, problemDiagnostics(view.state, problems)));
  }, [problems, extensions]);

  return (
    <Box sx={{ border: 1, borderColor: problems.length > 0 ? 'error.main' : 'divider', borderRadius: 1, overflow: 'hidden' }} data-testid="definition-editor">
      <CodeMirror
        ref={editor}
        value={initialValue}
        height="360px"
        theme="none"
        editable={!disabled}
        // Tab moves the focus on, as everywhere else in the form; indentation comes with Enter.
        indentWithTab={false}
        basicSetup={{ autocompletion: false, highlightActiveLine: true, foldGutter: true, searchKeymap: true }}
        extensions={extensions}
        // A long definition scrolls: its scroller takes the focus too, so a keyboard can scroll it
        // even when the text is not editable (axe: scrollable-region-focusable).
        onCreateEditor={(view) => {
          view.scrollDOM.tabIndex = 0;
          view.scrollDOM.setAttribute('aria-labelledby', labelId);
        }}
        onChange={(text) => {
          onChange(text);
          const nowJson = startsAsJson(text);
          if (nowJson !== isJson) setIsJson(nowJson);
        }}
      />
    </Box>
  );
}
