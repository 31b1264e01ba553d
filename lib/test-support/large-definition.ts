import { dump as dumpYaml } from 'js-yaml';

/**
 * Large OpenAPI definitions shaped like real providers' (GitHub's REST API description: 13 MB,
 * 811 paths, 1,223 operations, 969 schemas, 10,460 $refs), generated so tests and benchmarks need
 * no download: nested path templates with shared $ref parameters, responses that $ref schemas
 * which $ref smaller ones (three levels, as "full repository" → "repository" → "simple user"),
 * shared error responses, examples, tags and markdown descriptions. Deterministic: the same
 * size gives the same document.
 */

const WORDS = [
  'repository', 'organization', 'installation', 'deployment', 'environment', 'workflow', 'artifact', 'runner', 'secret', 'variable',
  'release', 'asset', 'commit', 'comment', 'review', 'branch', 'protection', 'webhook', 'delivery', 'package',
  'version', 'project', 'column', 'card', 'team', 'member', 'invitation', 'label', 'milestone', 'issue',
];
const TAGS = WORDS.slice(0, 24).map((word) => `${word}s`);

function words(seed: number, count: number): string {
  return Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]).join(' ');
}

function description(seed: number, sentences: number): string {
  return Array.from({ length: sentences }, (_, i) => `The ${words(seed + i, 6)} of the ${words(seed + i * 3, 2)} (see [the guide](https://docs.example.com/${WORDS[(seed + i) % WORDS.length]})).`).join(' ');
}

export interface LargeDefinitionShape {
  paths: number;
}

/** The document with `paths` paths: about 12 KB of pretty-printed JSON per path (GitHub's: 16 KB). */
export function largeDefinition({ paths }: LargeDefinitionShape): Record<string, unknown> {
  const leafCount = Math.max(4, Math.round(paths * 0.3));
  const midCount = Math.max(4, Math.round(paths * 0.5));
  const topCount = Math.max(4, Math.round(paths * 0.4));
  const schemas: Record<string, unknown> = {};
  const property = (i: number) => ({ type: 'string', description: description(i, 1), example: `${WORDS[i % WORDS.length]}-${i}` });
  for (let i = 0; i < leafCount; i++) {
    schemas[`leaf-${i}`] = {
      title: `Leaf ${i}`,
      description: description(i, 2),
      type: 'object',
      required: ['id', 'node_id'],
      properties: Object.fromEntries([
        ['id', { type: 'integer', format: 'int64', example: 42 + i }],
        ['node_id', { type: 'string', example: `MDQ6VXNlcj${i}` }],
        ...Array.from({ length: 10 }, (_, p) => [`${WORDS[(i + p) % WORDS.length]}_url`, property(i + p)]),
      ]),
    };
  }
  for (let i = 0; i < midCount; i++) {
    schemas[`mid-${i}`] = {
      title: `Mid ${i}`,
      description: description(i + 100, 2),
      type: 'object',
      required: ['id', 'owner'],
      properties: Object.fromEntries([
        ['id', { type: 'integer' }],
        ['owner', { $ref: `#/components/schemas/leaf-${i % leafCount}` }],
        ['created_by', { nullable: true, allOf: [{ $ref: `#/components/schemas/leaf-${(i * 3 + 1) % leafCount}` }] }],
        ['topics', { type: 'array', items: { type: 'string' } }],
        ...Array.from({ length: 12 }, (_, p) => [`${WORDS[(i + p * 2) % WORDS.length]}_${p}`, property(i + p + 7)]),
      ]),
    };
  }
  for (let i = 0; i < topCount; i++) {
    schemas[`top-${i}`] = {
      title: `Top ${i}`,
      description: description(i + 200, 3),
      type: 'object',
      properties: Object.fromEntries([
        ['id', { type: 'integer' }],
        ['subject', { $ref: `#/components/schemas/mid-${i % midCount}` }],
        ['parent', { $ref: `#/components/schemas/mid-${(i * 5 + 2) % midCount}` }],
        ['items', { type: 'array', items: { $ref: `#/components/schemas/leaf-${(i + 3) % leafCount}` } }],
        ['state', { type: 'string', enum: ['open', 'closed', 'all'] }],
        ...Array.from({ length: 10 }, (_, p) => [`${WORDS[(i * 3 + p) % WORDS.length]}_at`, { type: 'string', format: 'date-time', nullable: true, description: description(i + p, 1) }]),
      ]),
    };
  }
  const parameters: Record<string, unknown> = {
    owner: { name: 'owner', in: 'path', required: true, description: 'The account owner. The name is not case sensitive.', schema: { type: 'string' } },
    repo: { name: 'repo', in: 'path', required: true, description: 'The name of the repository without the `.git` extension.', schema: { type: 'string' } },
    org: { name: 'org', in: 'path', required: true, description: 'The organization name.', schema: { type: 'string' } },
    'per-page': { name: 'per_page', in: 'query', description: 'The number of results per page (max 100).', schema: { type: 'integer', default: 30 } },
    page: { name: 'page', in: 'query', description: 'The page number of the results to fetch.', schema: { type: 'integer', default: 1 } },
    direction: { name: 'direction', in: 'query', description: 'The direction to sort the results by.', schema: { type: 'string', enum: ['asc', 'desc'] } },
  };
  const responses: Record<string, unknown> = {
    not_found: { description: 'Resource not found', content: { 'application/json': { schema: { $ref: '#/components/schemas/basic-error' } } } },
    forbidden: { description: 'Forbidden', content: { 'application/json': { schema: { $ref: '#/components/schemas/basic-error' } } } },
    validation_failed: { description: 'Validation failed', content: { 'application/json': { schema: { $ref: '#/components/schemas/validation-error' } } } },
    not_modified: { description: 'Not modified' },
  };
  schemas['basic-error'] = { title: 'Basic Error', type: 'object', properties: { message: { type: 'string' }, documentation_url: { type: 'string' }, status: { type: 'string' } } };
  schemas['validation-error'] = {
    title: 'Validation Error',
    type: 'object',
    required: ['message', 'documentation_url'],
    properties: { message: { type: 'string' }, documentation_url: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { resource: { type: 'string' }, field: { type: 'string' }, code: { type: 'string' } } } } },
  };
  const examples: Record<string, unknown> = {};
  const documentPaths: Record<string, unknown> = {};
  const scopes = ['/repos/{owner}/{repo}', '/orgs/{org}', '/users/{owner}', '/enterprises/{org}'];
  for (let i = 0; i < paths; i++) {
    const scope = scopes[i % scopes.length]!;
    const first = WORDS[i % WORDS.length]!;
    const second = WORDS[Math.floor(i / WORDS.length) % WORDS.length]!;
    const item = i % 3 === 0 ? `/${first}s/${second}-${i}` : i % 3 === 1 ? `/${first}s/{${first}_id}/${second}s-${i}` : `/${first}s/${second}s/{${second}_id}/${first}-${i}`;
    const template = `${scope}${item}`;
    const scopeParameters = scope.includes('{repo}') ? [{ $ref: '#/components/parameters/owner' }, { $ref: '#/components/parameters/repo' }] : [{ $ref: `#/components/parameters/${scope.includes('{org}') ? 'org' : 'owner'}` }];
    const own = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).filter((name) => !['owner', 'repo', 'org'].includes(name));
    const pathParameters = [...scopeParameters, ...own.map((name) => ({ name, in: 'path', required: true, description: `The unique identifier of the ${name.replace(/_id$/, '')}.`, schema: { type: 'integer' } }))];
    const tag = TAGS[i % TAGS.length]!;
    const schema = `top-${i % topCount}`;
    const exampleName = `${first}-${i}`;
    examples[exampleName] = {
      value: Object.fromEntries(Array.from({ length: 30 }, (_, p) => [`${WORDS[(i + p) % WORDS.length]}_${p}`, p % 3 === 0 ? i * 10 + p : `https://api.example.com/${first}s/${i}/${WORDS[(p * 5) % WORDS.length]}`])),
    };
    const ok = (status: string, many: boolean) => ({
      [status]: {
        description: 'Response',
        content: {
          'application/json': {
            schema: many ? { type: 'array', items: { $ref: `#/components/schemas/${schema}` } } : { $ref: `#/components/schemas/${schema}` },
            examples: { default: { $ref: `#/components/examples/${exampleName}` } },
          },
        },
      },
    });
    const operation = (verb: string, extra: Record<string, unknown>) => ({
      summary: `${verb} ${words(i, 3)}`,
      description: description(i + verb.length, 8),
      tags: [tag],
      operationId: `${tag}/${verb.toLowerCase().replace(/\s+/g, '-')}-${i}`,
      externalDocs: { description: 'API method documentation', url: `https://docs.example.com/rest/${tag}#${verb.toLowerCase()}-${i}` },
      parameters: pathParameters,
      ...extra,
      'x-github': { githubCloudOnly: false, enabledForGitHubApps: true, category: tag, subcategory: second },
    });
    const pathItem: Record<string, unknown> = {
      get: operation('List', {
        parameters: [...pathParameters, { $ref: '#/components/parameters/per-page' }, { $ref: '#/components/parameters/page' }, { $ref: '#/components/parameters/direction' }],
        responses: { ...ok('200', true), '304': { $ref: '#/components/responses/not_modified' }, '404': { $ref: '#/components/responses/not_found' } },
      }),
    };
    if (i % 3 !== 2) {
      pathItem.post = operation('Create', {
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string', description: description(i, 1) }, owner: { $ref: `#/components/schemas/leaf-${i % leafCount}` } } } } } },
        responses: { ...ok('201', false), '403': { $ref: '#/components/responses/forbidden' }, '422': { $ref: '#/components/responses/validation_failed' } },
      });
    }
    if (i % 4 === 1) pathItem.delete = operation('Delete', { responses: { '204': { description: 'Response' }, '404': { $ref: '#/components/responses/not_found' } } });
    documentPaths[template] = pathItem;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Generated provider API',
      version: '1.1.4',
      description: `A generated definition with ${paths} paths, shaped like a large provider's REST API.`,
      license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT' },
    },
    tags: TAGS.map((name, i) => ({ name, description: description(i, 1) })),
    servers: [{ url: 'https://api.example.com' }],
    externalDocs: { description: 'Developer documentation', url: 'https://docs.example.com/rest/' },
    paths: documentPaths,
    components: { schemas, parameters, responses, examples },
  };
}

/** Bytes of pretty-printed JSON per path (measured: within 1% from 1 to 15 MB). */
const BYTES_PER_PATH = 12_100;

/** Pretty-printed JSON (as providers publish it) of about `bytes` bytes: 13 MB has 1,074 paths and 2,059 operations. */
export function largeDefinitionJson(bytes: number): { text: string; paths: number } {
  const paths = Math.max(1, Math.round(bytes / BYTES_PER_PATH));
  return { text: JSON.stringify(largeDefinition({ paths }), null, 2), paths };
}

/** The same document as YAML (about 75% of the JSON's size). */
export function largeDefinitionYaml(paths: number): string {
  return dumpYaml(largeDefinition({ paths }), { noRefs: true, lineWidth: -1 });
}

/** Operations the document has: GET on every path, POST on two in three, DELETE on one in four. */
export function operationCountOf(paths: number): number {
  let count = 0;
  for (let i = 0; i < paths; i++) count += 1 + (i % 3 !== 2 ? 1 : 0) + (i % 4 === 1 ? 1 : 0);
  return count;
}
