import { describe, expect, it } from 'vitest';
import { RouteTable } from './routes';

const table = new RouteTable({
  '/pets': { get: {}, post: {} },
  '/pets/{petId}': { get: {}, delete: {}, parameters: [] },
  '/pets/mine': { get: { security: [] } },
  '/reports/{year}.csv': { get: {} },
  '/': { get: {} },
});

const templateOf = (path: string) => {
  const match = table.match(path);
  return match.kind === 'matched' ? match.path.template : match.kind;
};

describe('RouteTable', () => {
  it('matches literal and templated paths, preferring the literal one', () => {
    expect(templateOf('/pets')).toBe('/pets');
    expect(templateOf('/pets/')).toBe('/pets');
    expect(templateOf('/pets/42')).toBe('/pets/{petId}');
    expect(templateOf('/pets/mine')).toBe('/pets/mine');
    expect(templateOf('/reports/2024.csv')).toBe('/reports/{year}.csv');
    expect(templateOf('')).toBe('/');
  });

  it('does not match unknown, partial or deeper paths', () => {
    expect(templateOf('/owners')).toBe('not_found');
    expect(templateOf('/pets/42/toys')).toBe('not_found');
    expect(templateOf('/reports/2024.json')).toBe('not_found');
    expect(templateOf('/pets//')).toBe('not_found');
  });

  it('flags dot segments, encoded or not', () => {
    expect(templateOf('/pets/..')).toBe('dot_segment');
    expect(templateOf('/pets/%2e%2E')).toBe('dot_segment');
  });

  it('lists allowed methods (HEAD with GET) and which operations need credentials', () => {
    const match = table.match('/pets/1');
    expect(match.kind === 'matched' && match.path.allowHeader).toBe('GET, DELETE, HEAD');
    const mine = table.match('/pets/mine');
    expect(mine.kind === 'matched' && mine.path.operations.get('GET')?.requiresCredentials).toBe(false);
    const list = table.match('/pets');
    expect(list.kind === 'matched' && list.path.operations.get('POST')?.requiresCredentials).toBe(true);
  });
});
