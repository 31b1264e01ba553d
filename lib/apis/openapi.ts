import { HTTP_METHODS } from '@/lib/gateway/gateway-spec';
import { invalid } from '../errors';
import { fetchOutboundText, OutboundFetchError } from '../net/outbound-fetch';
import { checkDefinitionInWorker, type CheckedDefinition } from './definition-check';
import { checkDefinitionSize, maxDefinitionBytes } from './definition-limits';

/**
 * API definitions: OpenAPI 3.x is stored as is; Swagger 2.0 is converted to OpenAPI 3 first.
 * Validation uses a real OpenAPI parser with external `$ref`s switched off, so an imported
 * definition cannot make the server read files or fetch URLs.
 */

export type OpenApiDocument = Record<string, unknown> & { openapi: string; info?: { title?: string; version?: string; description?: string }; paths: Record<string, Record<string, unknown>> };

declare const checked: unique symbol;
/** A document that went through importApiDefinition: parsed, converted and validated. */
export type CheckedOpenApiDocument = OpenApiDocument & { readonly [checked]: true };

export interface Resource {
  method: (typeof HTTP_METHODS)[number];
  path: string;
}

const OPERATION_KEYS = new Set(HTTP_METHODS.map((m) => m.toLowerCase()));
/** Time to fetch a definition from a URL: 32 MiB at about 1 MB/s. */
const DEFINITION_FETCH_TIMEOUT_MS = 30_000;

/**
 * Parses, converts (Swagger 2.0) and validates a definition; errors name what is wrong. The work
 * runs in a worker thread with a time and memory budget (definition-check.ts): a few KB of $refs
 * can otherwise expand enough to stall the whole server.
 */
export async function checkApiDefinition(text: string): Promise<CheckedDefinition> {
  // Checked here so an oversized definition is refused without starting a thread.
  checkDefinitionSize(Buffer.byteLength(text));
  return checkDefinitionInWorker(text);
}

/** The checked document as objects (see checkApiDefinition, which keeps it as text). */
export async function importApiDefinition(text: string): Promise<CheckedOpenApiDocument> {
  return JSON.parse((await checkApiDefinition(text)).json) as CheckedOpenApiDocument;
}

/**
 * Fetches a definition from a URL given by the publisher, under the outbound fetch policy
 * (lib/net/outbound-fetch.ts). The message never carries what answered, or any fetched text.
 */
export async function fetchApiDefinition(url: string): Promise<string> {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw invalid('Enter a valid http:// or https:// URL.', { definitionUrl: ['Enter a valid http:// or https:// URL.'] });
  }
  try {
    return await fetchOutboundText(url, { maxBytes: maxDefinitionBytes(), timeoutMs: DEFINITION_FETCH_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    console.warn(`definition import from a URL refused or failed: ${error.reason}`);
    const message = `Could not fetch the definition from that URL: ${error.message}.`;
    throw invalid(message, { definitionUrl: [message] });
  }
}

export function resourcesOf(document: Pick<OpenApiDocument, 'paths'>): Resource[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((key) => OPERATION_KEYS.has(key))
      .map((key) => ({ path, method: key.toUpperCase() as Resource['method'] })),
  );
}

/**
 * Sets the operations of a document to exactly `resources`, keeping what is known of those that
 * stay (parameters, responses) and adding a minimal operation for new ones.
 */
export function withResources(document: OpenApiDocument, resources: Resource[]): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { path, method } of resources) {
    const key = method.toLowerCase();
    const existingItem = document.paths[path] ?? {};
    const existing = existingItem[key];
    paths[path] ??= Object.fromEntries(Object.entries(existingItem).filter(([k]) => !OPERATION_KEYS.has(k)));
    paths[path]![key] = existing ?? { responses: { default: { description: 'Response from the backend' } } };
  }
  return { ...document, paths };
}

export function newOpenApiDocument(input: { name: string; version: string; description: string; resources: Resource[] }): OpenApiDocument {
  return withResources({ openapi: '3.0.3', info: { title: input.name, version: input.version, description: input.description }, paths: {} }, input.resources);
}

/** Resources typed one per line as `GET /pets/{petId}`. */
export function parseResourceLines(text: string): { resources: Resource[]; errors: string[] } {
  const resources: Resource[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([A-Za-z]+)\s+(\/\S*)$/.exec(line);
    const method = match?.[1]?.toUpperCase();
    if (!match || !method || !(HTTP_METHODS as readonly string[]).includes(method)) {
      errors.push(`Line ${index + 1}: write a method and a path, such as "GET /pets/{petId}".`);
      continue;
    }
    const key = `${method} ${match[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    resources.push({ method: method as Resource['method'], path: match[2]! });
  }
  if (resources.length === 0 && errors.length === 0) errors.push('Add at least one resource, such as "GET /".');
  return { resources, errors };
}

export function formatResourceLines(resources: Resource[]): string {
  return resources.map((r) => `${r.method} ${r.path}`).join('\n');
}
