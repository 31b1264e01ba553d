'use client';
import Pagination from '@mui/material/Pagination';
import PaginationItem from '@mui/material/PaginationItem';
import Link from 'next/link';

/** Page links (not buttons), so each catalog page has its own URL; `query` holds the search and portal to keep. */
export function CatalogPagination({
  page,
  pageCount,
  query,
  basePath = '/portal',
  hash = '',
  label = 'Catalog pages',
}: {
  page: number;
  pageCount: number;
  query: Record<string, string>;
  basePath?: string;
  hash?: string;
  label?: string;
}) {
  if (pageCount <= 1) return null;
  const hrefFor = (target: number) => {
    const params = new URLSearchParams(query);
    if (target > 1) params.set('page', String(target));
    const search = params.toString();
    return `${basePath}${search ? `?${search}` : ''}${hash}`;
  };
  return (
    <Pagination
      page={page}
      count={pageCount}
      aria-label={label}
      sx={{ alignSelf: 'center' }}
      renderItem={(item) => <PaginationItem component={Link} href={hrefFor(item.page ?? 1)} {...item} />}
    />
  );
}
