import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { formatBytes } from '@/lib/apis/definition-limits';
import type { StoredDefinitionSummary } from '@/lib/apis/definition-queries';

/** One line a publisher can check a definition by, without the browser holding the document. */
export function definitionSummaryLine(summary: StoredDefinitionSummary): string {
  const title = summary.title ? `${summary.title}${summary.version ? ` ${summary.version}` : ''}` : 'Untitled definition';
  return `${title} · ${summary.specification} · ${summary.paths.toLocaleString('en')} paths · ${summary.operations.toLocaleString('en')} operations · ${formatBytes(summary.bytes)}`;
}

/**
 * The stored definition of an API: its summary, and the text only on demand (a new tab shows the
 * JSON read-only, or it downloads), so a 13 MB document never sits in the page. `children` is
 * where the API's page puts its Edit definition action.
 */
export function DefinitionSummaryPanel({ summary, viewHref, sizeNote, children }: { summary: StoredDefinitionSummary; viewHref: string; sizeNote: string; children?: React.ReactNode }) {
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="definition-heading">
      <Stack spacing={1}>
        <Typography variant="h2" id="definition-heading">
          Definition
        </Typography>
        <Typography data-testid="definition-summary">{definitionSummaryLine(summary)}</Typography>
        <Typography variant="body2" color="text.secondary">
          {sizeNote}
        </Typography>
        <Stack direction="row" spacing={2}>
          <Link href={viewHref} target="_blank" rel="noopener">
            View the definition (read-only)
          </Link>
          <Link href={`${viewHref}?download=1`}>Download</Link>
        </Stack>
        {children}
      </Stack>
    </Paper>
  );
}
