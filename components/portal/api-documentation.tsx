import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

const methodColors: Record<(typeof METHODS)[number], 'primary' | 'success' | 'warning' | 'error' | 'info' | 'default' | 'secondary'> = {
  get: 'primary',
  post: 'success',
  put: 'warning',
  patch: 'secondary',
  delete: 'error',
  head: 'default',
  options: 'default',
};

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  summary: string;
}

export function operationsOf(openapi: Record<string, unknown>): Operation[] {
  const paths = (openapi.paths ?? {}) as Record<string, Record<string, { summary?: unknown; description?: unknown } | undefined>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item?.[method]).map((method) => {
      const operation = item![method]!;
      const summary = typeof operation.summary === 'string' ? operation.summary : typeof operation.description === 'string' ? operation.description : '';
      return { method, path, summary };
    }),
  );
}

/** A readable list of the definition's operations; Try Out has the full, callable rendering. */
export function ApiDocumentation({ openapi }: { openapi: Record<string, unknown> }) {
  const operations = operationsOf(openapi);
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="documentation-heading">
      <Stack spacing={1}>
        <Typography variant="h2" id="documentation-heading">
          Documentation
        </Typography>
        {operations.length === 0 ? (
          <Typography color="text.secondary">The definition of this API lists no operations.</Typography>
        ) : (
          <List dense aria-label="Operations">
            {operations.map((operation) => (
              <ListItem key={`${operation.method} ${operation.path}`} disableGutters sx={{ gap: 1.5 }}>
                <Chip size="small" color={methodColors[operation.method]} label={operation.method.toUpperCase()} sx={{ minWidth: 72, fontWeight: 700 }} />
                <Typography component="code" sx={{ fontFamily: 'monospace' }}>
                  {operation.path}
                </Typography>
                <Typography color="text.secondary">{operation.summary}</Typography>
              </ListItem>
            ))}
          </List>
        )}
      </Stack>
    </Paper>
  );
}
