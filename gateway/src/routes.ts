import { HTTP_METHODS } from './config';

// Routes are compiled once per config into a segment trie, so matching a request is a walk of
// at most one node per path segment with no regex on literal segments.

export interface OperationRoute {
  /** The OpenAPI path template, e.g. "/pets/{petId}" (for logs and metrics). */
  template: string;
  /** False when the operation declares `security: []`, i.e. it is served without credentials. */
  requiresCredentials: boolean;
}

export interface PathRoute {
  template: string;
  operations: Map<string, OperationRoute>;
  /** Value of the `Allow` header for 405 answers and CORS preflights. */
  allowHeader: string;
}

interface TrieNode {
  literalChildren: Map<string, TrieNode>;
  templatedChildren: Array<{ pattern: RegExp; node: TrieNode }>;
  route?: PathRoute;
}

export type RouteMatch = { kind: 'matched'; path: PathRoute } | { kind: 'not_found' } | { kind: 'dot_segment' };

const newNode = (): TrieNode => ({ literalChildren: new Map(), templatedChildren: [] });

function segmentPattern(segment: string): RegExp {
  // "{petId}" → one non-empty segment; "{id}.json" → that shape within one segment.
  const source = segment
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** "/pets/{petId}" → ["pets", "{petId}"]; "/" → []; empty inner segments are kept so "//" never matches. */
function splitPath(path: string): string[] {
  const withoutTrailingSlash = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return withoutTrailingSlash === '/' || withoutTrailingSlash === '' ? [] : withoutTrailingSlash.slice(1).split('/');
}

export class RouteTable {
  private readonly root = newNode();

  constructor(paths: Record<string, Record<string, unknown>>) {
    for (const [template, pathItem] of Object.entries(paths)) {
      const operations = new Map<string, OperationRoute>();
      for (const method of HTTP_METHODS) {
        const operation = pathItem[method.toLowerCase()];
        if (operation === undefined || operation === null || typeof operation !== 'object') continue;
        const security = (operation as { security?: unknown }).security;
        operations.set(method, { template, requiresCredentials: !(Array.isArray(security) && security.length === 0) });
      }
      // HEAD is answered wherever GET is, as HTTP servers are expected to.
      const get = operations.get('GET');
      if (get && !operations.has('HEAD')) operations.set('HEAD', get);
      if (operations.size === 0) continue;
      this.insert(template, { template, operations, allowHeader: [...operations.keys()].join(', ') });
    }
  }

  private insert(template: string, route: PathRoute): void {
    let node = this.root;
    for (const segment of splitPath(template)) {
      if (segment.includes('{')) {
        const pattern = segmentPattern(segment);
        let child = node.templatedChildren.find((candidate) => candidate.pattern.source === pattern.source);
        if (!child) {
          child = { pattern, node: newNode() };
          node.templatedChildren.push(child);
        }
        node = child.node;
      } else {
        let child = node.literalChildren.get(segment);
        if (!child) {
          child = newNode();
          node.literalChildren.set(segment, child);
        }
        node = child;
      }
    }
    node.route = route;
  }

  /** Matches the path below the API's base path (e.g. "/pets/7"), without query string. */
  match(path: string): RouteMatch {
    const segments = splitPath(path);
    for (const segment of segments) {
      if (segment === '.' || segment === '..' || /^(\.|%2e){1,2}$/i.test(segment)) return { kind: 'dot_segment' };
    }
    const route = this.walk(this.root, segments, 0);
    return route ? { kind: 'matched', path: route } : { kind: 'not_found' };
  }

  private walk(node: TrieNode, segments: string[], index: number): PathRoute | undefined {
    if (index === segments.length) return node.route;
    const segment = segments[index]!;
    // Concrete paths win over templated ones, as OpenAPI requires.
    const literal = node.literalChildren.get(segment);
    if (literal) {
      const found = this.walk(literal, segments, index + 1);
      if (found) return found;
    }
    for (const child of node.templatedChildren) {
      if (child.pattern.test(segment)) {
        const found = this.walk(child.node, segments, index + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}
