'use client';
import SearchOutlined from '@mui/icons-material/SearchOutlined';
import Button from '@mui/material/Button';
import InputAdornment from '@mui/material/InputAdornment';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Form from 'next/form';

/** A GET form: the search lives in the URL, so results can be shared and the back button works. */
export function CatalogSearch({ q, tenant }: { q: string; tenant?: string }) {
  return (
    <Form action="/portal" role="search" aria-label="Search APIs">
      <Stack direction="row" spacing={1}>
        <TextField
          key={q}
          name="q"
          type="search"
          label="Search APIs"
          placeholder="Name, description, context or tag"
          defaultValue={q}
          fullWidth
          size="small"
          slotProps={{ input: { startAdornment: <InputAdornment position="start"><SearchOutlined fontSize="small" /></InputAdornment> }, htmlInput: { maxLength: 200 } }}
        />
        {tenant && <input type="hidden" name="tenant" value={tenant} />}
        <Button type="submit" variant="contained">
          Search
        </Button>
      </Stack>
    </Form>
  );
}
