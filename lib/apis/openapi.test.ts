import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { formatResourceLines, importApiDefinition, newOpenApiDocument, parseResourceLines, resourcesOf, withResources } from './openapi';

const petstore = fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8');

const swagger2 = JSON.stringify({
  swagger: '2.0',
  info: { title: 'Legacy', version: '1.0' },
  basePath: '/v1',
  paths: { '/items/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }], responses: { 200: { description: 'ok' } } } } },
});

async function importError(text: string): Promise<string> {
  try {
    await importApiDefinition(text);
  } catch (error) {
    return (error as AppError).message;
  }
  throw new Error('expected the import to fail');
}

describe('API definitions', () => {
  it('imports an OpenAPI 3 document and lists its resources', async () => {
    const document = await importApiDefinition(petstore);
    expect(document.info?.title).toBe('PetStore');
    expect(resourcesOf(document)).toEqual(expect.arrayContaining([{ path: '/pets', method: 'GET' }, { path: '/pets/{petId}', method: 'DELETE' }]));
  });

  it('converts Swagger 2.0 to OpenAPI 3', async () => {
    const document = await importApiDefinition(swagger2);
    expect(document.openapi).toMatch(/^3\./);
    expect(resourcesOf(document)).toEqual([{ path: '/items/{id}', method: 'GET' }]);
  });

  it('refuses invalid definitions with the reason', async () => {
    expect(await importError('openapi: 3.0.0\ninfo: {}\npaths: {}')).toMatch(/not valid/);
    expect(await importError('{ not json')).toMatch(/neither JSON nor YAML|not valid|OpenAPI/);
    expect(await importError('hello: world')).toMatch(/not an OpenAPI 3.x or Swagger 2.0/);
  });

  it('never follows external references', async () => {
    const text = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'x', version: '1' },
      paths: { '/a': { get: { responses: { 200: { $ref: '/etc/passwd' } } } } },
    });
    const document = await importApiDefinition(text);
    // the reference stays a reference: nothing was read from the server's disk
    expect(JSON.stringify(document)).toContain('"$ref":"/etc/passwd"');
    expect(JSON.stringify(document)).not.toContain('root:');
  });

  it('edits resources while keeping what is known of the others', async () => {
    const document = await importApiDefinition(petstore);
    const edited = withResources(document, [{ path: '/pets', method: 'GET' }, { path: '/owners', method: 'POST' }]);
    expect(resourcesOf(edited)).toEqual([{ path: '/pets', method: 'GET' }, { path: '/owners', method: 'POST' }]);
    expect((edited.paths['/pets']!.get as { operationId?: string }).operationId).toBe('listPets');
  });

  it('reads resource lines and explains bad ones', () => {
    expect(parseResourceLines('GET /pets\npost /pets\n\nGET /pets')).toEqual({ resources: [{ method: 'GET', path: '/pets' }, { method: 'POST', path: '/pets' }], errors: [] });
    expect(parseResourceLines('FETCH /x').errors[0]).toMatch(/Line 1/);
    expect(parseResourceLines('  ').errors[0]).toMatch(/at least one/);
    const resources = parseResourceLines('GET /a\nDELETE /a/{id}').resources;
    expect(formatResourceLines(resourcesOf(newOpenApiDocument({ name: 'A', version: '1', description: '', resources })))).toBe('GET /a\nDELETE /a/{id}');
  });
});
