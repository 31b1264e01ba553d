import { HTTP_METHODS, type GatewayRoute } from './gateway-spec';

// The routes of an API are its OpenAPI paths and methods: nothing else reaches the backend.

/** Each path item's operations; `security: []` on an operation serves it without credentials. */
export function routesOfOpenApi(openapi: Record<string, unknown>): GatewayRoute[] {
  const paths = (openapi.paths ?? {}) as Record<string, Record<string, unknown> | null>;
  const routes: GatewayRoute[] = [];
  for (const [template, pathItem] of Object.entries(paths)) {
    if (!pathItem || typeof pathItem !== 'object') continue;
    const operations = HTTP_METHODS.flatMap((method) => {
      const operation = pathItem[method.toLowerCase()];
      if (!operation || typeof operation !== 'object') return [];
      const security = (operation as { security?: unknown }).security;
      return [{ method, public: Array.isArray(security) && security.length === 0 }];
    });
    if (operations.length > 0) routes.push({ template, operations });
  }
  return routes;
}

type SegmentKind = 0 | 1 | 2; // literal, partly templated ("{id}.json"), templated ("{id}")

function segmentKind(segment: string): SegmentKind {
  if (!segment.includes('{')) return 0;
  return /^\{[^}]+\}$/.test(segment) ? 2 : 1;
}

/**
 * Orders templates so that the first match is the one OpenAPI means: at the first segment where
 * two templates differ, a literal beats a partly templated segment, which beats a parameter
 * ("/pets/mine" before "/pets/{id}"). The proxy takes the first regular expression that matches.
 */
export function compareTemplates(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const kindOrder = segmentKind(left[index]!) - segmentKind(right[index]!);
    if (kindOrder !== 0) return kindOrder;
  }
  if (left.length !== right.length) return right.length - left.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, (character) => (character === '/' ? '/' : `\\${character}`));

/** "/pets/{petId}" → "/pets/[^/]+": a parameter is one non-empty segment; a trailing "/" is allowed. */
export function templateRegex(basePath: string, template: string): string {
  const body = template
    .replace(/\/+$/, '')
    .split(/(\{[^}]*\})/)
    .map((part) => (/^\{[^}]*\}$/.test(part) ? '[^/]+' : escapeRegex(part)))
    .join('');
  return `${escapeRegex(basePath)}${body}/?`;
}
