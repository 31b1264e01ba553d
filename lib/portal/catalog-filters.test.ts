import { describe, expect, it } from 'vitest';
import { catalogFilterQuery, describeCatalogFilters, hasCatalogFilters, parseCatalogFilters } from './catalog-filters';

describe('catalog filters in the URL', () => {
  it('reads search, tag, state and page', () => {
    expect(parseCatalogFilters({ q: ' orders ', tag: ' payments ', state: 'deprecated', page: '3' })).toEqual({ q: 'orders', tag: 'payments', state: 'deprecated', page: 3 });
    expect(parseCatalogFilters({ state: 'Published' }).state).toBe('published');
  });

  it('drops what developers cannot filter by, and pages that are not whole numbers from 1', () => {
    for (const state of ['created', 'blocked', 'retired', 'PROTOTYPED', 'constructor', '__proto__', 'toString']) expect(parseCatalogFilters({ state }).state).toBe('');
    for (const page of ['0', '-2', '1.5', 'abc', '1e400', '']) expect(parseCatalogFilters({ page }).page).toBe(1);
    expect(parseCatalogFilters({}).tag).toBe('');
  });

  it('takes the first of repeated parameters and bounds the lengths', () => {
    expect(parseCatalogFilters({ tag: ['a', 'b'], q: ['x', 'y'] })).toMatchObject({ tag: 'a', q: 'x' });
    expect(parseCatalogFilters({ tag: 't'.repeat(5000), q: 'q'.repeat(5000) })).toMatchObject({ tag: 't'.repeat(100), q: 'q'.repeat(200) });
  });

  it('keeps only the filters in use in links, and describes them', () => {
    const filters = parseCatalogFilters({ tag: 'payments', state: 'deprecated', page: '2' });
    expect(catalogFilterQuery(filters)).toEqual({ tag: 'payments', state: 'deprecated' });
    expect(hasCatalogFilters(filters)).toBe(true);
    expect(hasCatalogFilters(parseCatalogFilters({ page: '4' }))).toBe(false);
    expect(describeCatalogFilters({ ...filters, q: 'orders' })).toBe('deprecated, tagged “payments”, matching “orders”');
  });
});
