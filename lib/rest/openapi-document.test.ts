import fs from 'node:fs';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { apiFileJsonSchema } from '../apis/api-file.schema';
import { HTTP_METHODS, restRouteFiles, routeModule } from '../test-support/rest-routes';
import { openApiDocument, restOperations } from './openapi-document';

type Paths = Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>>;
const document = openApiDocument('http://portal.test');
const paths = document.paths as Paths;

describe('the served OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('has a valid OpenAPI 3.0.3 rendering with the same operations, for the portal’s Try Out', async () => {
    const rendering = openApiDocument('http://portal.test', '3.0');
    expect(rendering.openapi).toBe('3.0.3');
    const result = await validate(structuredClone(rendering) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    const operations = (doc: Record<string, unknown>) =>
      Object.entries(doc.paths as Paths).flatMap(([template, item]) => Object.entries(item).map(([method, op]) => `${method} ${template} ${op.operationId}`)).sort();
    expect(operations(rendering)).toEqual(operations(document));
  });

  it('documents every method of every route file under app/api/v1, at the route’s own path', async () => {
    const undocumented: string[] = [];
    for (const route of restRouteFiles()) {
      const module = await routeModule(route);
      for (const method of HTTP_METHODS) {
        const handler = module[method];
        if (!handler) continue;
        if (route.template === null) continue; // the catch-all answers 404 problems for everything else
        const documented = paths[route.template]?.[method.toLowerCase()];
        if (!documented) undocumented.push(`${method} ${route.template}`);
        // The handler validates with the operation the document was generated from.
        else expect(`${handler.operation.method.toUpperCase()} ${handler.operation.path} ${handler.operation.operationId}`).toBe(`${method} ${route.template} ${documented.operationId}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('has a route file for every documented operation, with the same path parameters', async () => {
    const routes = new Map(restRouteFiles().filter((r) => r.template).map((r) => [r.template!, r]));
    const missing: string[] = [];
    for (const [template, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const route = routes.get(template);
        const handler = route && (await routeModule(route))[method.toUpperCase() as (typeof HTTP_METHODS)[number]];
        if (!handler) missing.push(`${method.toUpperCase()} ${template}`);
        const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
        expect(inPath, `${method} ${template}`).toEqual([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      }
    }
    expect(missing).toEqual([]);
    expect(Object.values(paths).flatMap((p) => Object.keys(p))).toHaveLength(restOperations.length);
  });

  it('names the scope each operation needs, and serves from the portal’s address', () => {
    for (const operation of restOperations) {
      const documented = paths[operation.path]![operation.method] as unknown as { security: Record<string, string[]>[] };
      if (operation.scope === 'public') expect(documented.security).toEqual([]);
      else expect(documented.security).toEqual([{ personalAccessToken: operation.scope === 'any' ? [] : [operation.scope] }]);
    }
    expect(document.servers).toEqual([{ url: 'http://portal.test/api/v1', description: 'This portal' }]);
  });
});

describe('the API file schema', () => {
  it('is committed as generated, for editors and for people reading the repository', () => {
    const committed = JSON.parse(fs.readFileSync('tools/cli/api-file.schema.json', 'utf8')) as unknown;
    expect(committed).toEqual(apiFileJsonSchema());
  });
});
