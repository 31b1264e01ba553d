import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { StoredOperation } from '@/lib/apis/definition-queries';
import { SafeMarkdown } from '../markdown/safe-markdown';
import { CatalogPagination } from './catalog-pagination';
import { DocumentationTabs } from './documentation-tabs';

const methodColors: Record<string, 'primary' | 'success' | 'warning' | 'error' | 'info' | 'default' | 'secondary'> = {
  GET: 'primary',
  POST: 'success',
  PUT: 'warning',
  PATCH: 'secondary',
  DELETE: 'error',
};

/** A list this long is shown by tag, a page at a time: GitHub's definition has 1,223 operations. */
export const OPERATIONS_PAGE_SIZE = 50;
const UNTAGGED = 'Other';

export interface OperationGroup {
  tag: string;
  operations: StoredOperation[];
}

/** Operations grouped by their first tag, in the order the tags first appear; untagged ones last. */
export function operationsByTag(operations: StoredOperation[]): OperationGroup[] {
  const groups = new Map<string, StoredOperation[]>();
  for (const operation of operations) {
    const tag = operation.tags[0] ?? UNTAGGED;
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag)!.push(operation);
  }
  const untagged = groups.get(UNTAGGED);
  groups.delete(UNTAGGED);
  return [...[...groups].map(([tag, list]) => ({ tag, operations: list })), ...(untagged ? [{ tag: UNTAGGED, operations: untagged }] : [])];
}

function OperationList({ operations }: { operations: StoredOperation[] }) {
  return (
    <List dense aria-label="Operations">
      {operations.map((operation) => (
        <ListItem key={`${operation.method} ${operation.path}`} disableGutters sx={{ gap: 1.5 }}>
          <Chip size="small" color={methodColors[operation.method] ?? 'default'} label={operation.method} sx={{ minWidth: 72, fontWeight: 700 }} />
          <Typography component="code" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {operation.path}
          </Typography>
          <Typography color="text.secondary">{operation.summary}</Typography>
        </ListItem>
      ))}
    </List>
  );
}

/** Which view of the documentation a URL asks for: the operations when it names a tag, page or `doc=operations`, else the guide. */
export function documentationViewOf(params: { doc?: string; tag?: string; page?: string }): 'guide' | 'operations' {
  return params.doc === 'operations' || (params.doc !== 'guide' && (params.tag !== undefined || params.page !== undefined)) ? 'operations' : 'guide';
}

/**
 * The API's documentation: the publisher's Markdown guide (when there is one) and the list of the
 * definition's operations, as two tabs. Try Out has the full, callable rendering.
 */
export function ApiDocumentation({
  guide,
  view,
  operations,
  basePath,
  query,
  selectedTag,
  page,
}: {
  /** The publisher's Markdown, '' when none: then only the operations are shown, without tabs. */
  guide: string;
  view: 'guide' | 'operations';
  operations: StoredOperation[];
  basePath: string;
  /** Query parameters to keep in the links (a visitor's portal). */
  query: Record<string, string>;
  selectedTag?: string;
  page?: number;
}) {
  const hasGuide = guide.trim() !== '';
  const shown = hasGuide ? view : 'operations';
  const viewHref = (target: string) => `${basePath}?${new URLSearchParams({ ...query, doc: target }).toString()}#documentation`;
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="documentation-heading" id="documentation">
      <Stack spacing={1}>
        <Typography variant="h2" id="documentation-heading">
          Documentation
        </Typography>
        {hasGuide && (
          <DocumentationTabs
            value={shown}
            tabs={[
              { value: 'guide', label: 'Guide', href: viewHref('guide') },
              { value: 'operations', label: `Operations (${operations.length.toLocaleString('en')})`, href: viewHref('operations') },
            ]}
          />
        )}
        {shown === 'guide' ? (
          <SafeMarkdown markdown={guide} testId="api-guide" />
        ) : (
          <OperationsView
            operations={operations}
            basePath={basePath}
            query={hasGuide ? { ...query, doc: 'operations' } : query}
            selectedTag={selectedTag}
            page={page}
          />
        )}
      </Stack>
    </Paper>
  );
}

/**
 * A readable list of the definition's operations. A short list is shown whole; a long one by tag,
 * one page of one tag at a time, each a link of its own (`?tag=…&page=…`), so a page never
 * renders a thousand rows.
 */
function OperationsView({
  operations,
  basePath,
  query,
  selectedTag,
  page,
}: {
  operations: StoredOperation[];
  basePath: string;
  query: Record<string, string>;
  selectedTag?: string;
  page?: number;
}) {
  const groups = operationsByTag(operations);
  const long = operations.length > OPERATIONS_PAGE_SIZE;
  const group = groups.find((g) => g.tag === selectedTag) ?? groups[0];
  const pageCount = group ? Math.max(Math.ceil(group.operations.length / OPERATIONS_PAGE_SIZE), 1) : 1;
  const current = Math.min(Math.max(page ?? 1, 1), pageCount);
  const tagHref = (tag: string) => `${basePath}?${new URLSearchParams({ ...query, tag }).toString()}#documentation`;
  return (
      <>
        {operations.length === 0 ? (
          <Typography color="text.secondary">The definition of this API lists no operations.</Typography>
        ) : !long || !group ? (
          <OperationList operations={operations} />
        ) : (
          <>
            <Typography color="text.secondary" data-testid="operation-count">
              {operations.length.toLocaleString('en')} operations in {groups.length} {groups.length === 1 ? 'group' : 'groups'}, by tag. Try Out lists them all, with a filter.
            </Typography>
            <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }} component="nav" aria-label="Operation tags">
              {groups.map((g) => (
                <Chip
                  key={g.tag}
                  // A plain link (not clickable, which would make it a button): this is a server component,
                  // and a component function cannot pass to MUI's client Chip.
                  component="a"
                  href={tagHref(g.tag)}
                  size="small"
                  color={g.tag === group.tag ? 'primary' : 'default'}
                  variant={g.tag === group.tag ? 'filled' : 'outlined'}
                  label={`${g.tag} (${g.operations.length})`}
                  aria-current={g.tag === group.tag ? 'page' : undefined}
                />
              ))}
            </Stack>
            <Typography variant="h3" sx={{ pt: 1 }}>
              {group.tag}
            </Typography>
            <OperationList operations={group.operations.slice((current - 1) * OPERATIONS_PAGE_SIZE, current * OPERATIONS_PAGE_SIZE)} />
            <CatalogPagination page={current} pageCount={pageCount} query={{ ...query, tag: group.tag }} basePath={basePath} hash="#documentation" label={`Pages of ${group.tag}`} />
          </>
        )}
      </>
  );
}
