import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { RouteHandler } from '../rest/operation';

/**
 * The route files of /api/v1 as Next.js routes them, for tests: find the file for a path, call
 * its exported method with a Request (as Next.js does), or serve them all over real HTTP so a
 * separate process (the CLI) can talk to them. No operation is looked up any other way, so a
 * route file missing or bound to the wrong operation shows up here as it would in the app.
 */

const ROOT = path.join(process.cwd(), 'app/api/v1');
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface RouteFile {
  file: string;
  /** Folder segments under app/api/v1, e.g. ["apis", "[apiId]", "lifecycle"]. */
  segments: string[];
  /** The OpenAPI path template, e.g. /apis/{apiId}/lifecycle; null for the catch-all. */
  template: string | null;
}

export function restRouteFiles(): RouteFile[] {
  const found: RouteFile[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), [...segments, entry.name]);
      else if (entry.name === 'route.ts') {
        const catchAll = segments.some((s) => s.startsWith('[...'));
        found.push({ file: path.join(dir, entry.name), segments, template: catchAll ? null : `/${segments.map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/')}` });
      }
    }
  };
  walk(ROOT, []);
  return found;
}

/** Static segments before dynamic ones before the catch-all, as Next.js matches. */
function rank(route: RouteFile): number[] {
  return route.segments.map((s) => (s.startsWith('[...') ? 2 : s.startsWith('[') ? 1 : 0));
}

export function resolveRestRoute(pathname: string): { route: RouteFile; params: Record<string, string | string[]> } | null {
  const parts = pathname.replace(/^\/api\/v1\/?/, '').split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const candidates = restRouteFiles().sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < Math.max(ra.length, rb.length); i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (ra[i] ?? 0) - (rb[i] ?? 0);
    return 0;
  });
  for (const route of candidates) {
    const params: Record<string, string | string[]> = {};
    let matched = true;
    for (let i = 0; i < route.segments.length; i++) {
      const segment = route.segments[i]!;
      if (segment.startsWith('[...')) {
        params[segment.slice(4, -1)] = parts.slice(i);
        if (parts.length <= i) matched = false;
        break;
      }
      const part = parts[i];
      if (part === undefined) matched = false;
      else if (segment.startsWith('[')) params[segment.slice(1, -1)] = part;
      else if (segment !== part) matched = false;
      if (!matched) break;
    }
    if (matched && (route.segments.some((s) => s.startsWith('[...')) || route.segments.length === parts.length)) return { route, params };
  }
  return null;
}

type RouteModule = Partial<Record<(typeof HTTP_METHODS)[number], RouteHandler>>;

export async function routeModule(route: RouteFile): Promise<RouteModule> {
  return (await import(route.file)) as RouteModule;
}

/** Calls the route file for `request` the way Next.js does: 405 when it exports no such method. */
export async function dispatchRestRequest(request: Request): Promise<{ response: Response; handler?: RouteHandler }> {
  const resolved = resolveRestRoute(new URL(request.url).pathname);
  if (!resolved) return { response: new Response('no route', { status: 404 }) };
  const handler = (await routeModule(resolved.route))[request.method as (typeof HTTP_METHODS)[number]];
  if (!handler) return { response: new Response(null, { status: 405 }) };
  return { response: await handler(request, { params: Promise.resolve(resolved.params) }), handler };
}

export interface RestHttpServer {
  url: string;
  close(): Promise<void>;
}

/** The /api/v1 route files behind a real HTTP server on a free loopback port. */
export async function startRestHttpServer(): Promise<RestHttpServer> {
  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      try {
        const url = `http://${incoming.headers.host}${incoming.url}`;
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
        const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
        const request = new Request(url, {
          method: incoming.method,
          headers,
          ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream, duplex: 'half' } : {}),
        } as RequestInit);
        const { response } = await dispatchRestRequest(request);
        outgoing.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        outgoing.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        outgoing.writeHead(500).end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
