import { expect, it } from 'vitest';
import { importApiDefinition } from './openapi';
import { checkRefExpansion, ExpansionLimitExceeded } from './ref-expansion';

/** The probe's shape: each level's schema has `fanOut` properties that all reference the next level. */
function fanOutDefinition(levels: number, fanOut: number): Record<string, unknown> {
  const schemas: Record<string, unknown> = { L0: { type: 'string' } };
  for (let level = 1; level <= levels; level++) {
    const properties = Object.fromEntries(Array.from({ length: fanOut }, (_, i) => [`p${i}`, { $ref: `#/components/schemas/L${level - 1}` }]));
    schemas[`L${level}`] = { type: 'object', properties };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Fan-out', version: '1.0.0' },
    paths: { '/x': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/L${levels}` } } } } } } } },
    components: { schemas },
  };
}

it('counts resolved nodes in linear time and refuses a fan-out of refs that would explode', () => {
  expect(checkRefExpansion(fanOutDefinition(2, 3))).toBeLessThan(200);
  const started = performance.now();
  expect(() => checkRefExpansion(fanOutDefinition(20, 10))).toThrow(ExpansionLimitExceeded);
  expect(performance.now() - started).toBeLessThan(1_000); // generous: the count itself is microseconds
});

it('counts a cycle as a reference, not an infinity', () => {
  const cyclic = { components: { schemas: { Node: { type: 'object', properties: { next: { $ref: '#/components/schemas/Node' } } } } }, root: { $ref: '#/components/schemas/Node' } };
  expect(checkRefExpansion(cyclic)).toBeLessThan(50);
});

it('refuses the 9 KB hostile definition at import with a clear message, quickly', async () => {
  const text = JSON.stringify(fanOutDefinition(20, 10));
  expect(text.length).toBeLessThan(12_000);
  const started = performance.now();
  await expect(importApiDefinition(text)).rejects.toMatchObject({
    kind: 'validation',
    fieldErrors: { definition: [expect.stringContaining('expands beyond 100000 schema nodes')] },
  });
  expect(performance.now() - started).toBeLessThan(5_000);
});
