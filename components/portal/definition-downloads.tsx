import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/**
 * The API's definition as a file, for code generators and other tools: the same text Try Out
 * reads (without backend servers), as JSON or converted to YAML. `href` ends in "?" or "&".
 */
export function DefinitionDownloads({ href, fileName }: { href: string; fileName: string }) {
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'baseline' }} component="section" aria-label="Download the definition">
      <Typography variant="body2" color="text.secondary">
        Download the OpenAPI definition:
      </Typography>
      <Link href={`${href}format=json`} download={`${fileName}.openapi.json`} variant="body2">
        JSON
      </Link>
      <Link href={`${href}format=yaml`} download={`${fileName}.openapi.yaml`} variant="body2">
        YAML
      </Link>
    </Stack>
  );
}
