'use client';
import SearchOutlined from '@mui/icons-material/SearchOutlined';
import Button from '@mui/material/Button';
import InputAdornment from '@mui/material/InputAdornment';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Form from 'next/form';
import Link from 'next/link';
import { CATALOG_STATE_LABELS, CATALOG_STATES, type CatalogFilters } from '@/lib/portal/catalog-filters';
import type { CatalogTag } from '@/lib/portal/catalog.service';

/**
 * A GET form: search and filters live in the URL, so results can be shared and the back button
 * works. Choosing a tag or a state submits at once; without scripts, the Search button does.
 */
export function CatalogSearch({ filters, tags, tenant, clearHref }: { filters: Pick<CatalogFilters, 'q' | 'tag' | 'state'>; tags: CatalogTag[]; tenant?: string; clearHref: string | null }) {
  // A tag from a shared link that no visible API carries any more stays selectable, so the form shows what filters the list.
  const tagOptions = filters.tag && !tags.some((t) => t.tag === filters.tag) ? [{ tag: filters.tag, apis: 0 }, ...tags] : tags;
  const submitOnChange = (event: React.ChangeEvent<HTMLSelectElement | HTMLInputElement | HTMLTextAreaElement>) => {
    (event.currentTarget as HTMLSelectElement).form?.requestSubmit();
  };
  return (
    <Form action="/portal" role="search" aria-label="Search and filter APIs" key={`${filters.q}|${filters.tag}|${filters.state}`}>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ alignItems: { md: 'center' } }}>
        <TextField
          name="q"
          type="search"
          label="Search APIs"
          placeholder="Name, description, context or tag"
          defaultValue={filters.q}
          fullWidth
          size="small"
          slotProps={{ input: { startAdornment: <InputAdornment position="start"><SearchOutlined fontSize="small" /></InputAdornment> }, htmlInput: { maxLength: 200 } }}
        />
        <TextField
          id="catalog-tag-filter"
          name="tag"
          select
          label="Tag"
          size="small"
          defaultValue={filters.tag}
          onChange={submitOnChange}
          sx={{ minWidth: 180 }}
          slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
        >
          <option value="">Any tag</option>
          {tagOptions.map((t) => (
            <option key={t.tag} value={t.tag}>
              {t.tag} ({t.apis})
            </option>
          ))}
        </TextField>
        <TextField
          id="catalog-state-filter"
          name="state"
          select
          label="State"
          size="small"
          defaultValue={filters.state}
          onChange={submitOnChange}
          sx={{ minWidth: 160 }}
          slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
        >
          <option value="">Any state</option>
          {(Object.keys(CATALOG_STATES) as (keyof typeof CATALOG_STATES)[]).map((state) => (
            <option key={state} value={state}>
              {CATALOG_STATE_LABELS[state]}
            </option>
          ))}
        </TextField>
        {tenant && <input type="hidden" name="tenant" value={tenant} />}
        <Button type="submit" variant="contained">
          Search
        </Button>
        {clearHref && (
          <Button component={Link} href={clearHref} sx={{ whiteSpace: 'nowrap' }}>
            Clear filters
          </Button>
        )}
      </Stack>
    </Form>
  );
}
