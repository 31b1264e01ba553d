import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { autoImplementMethods } from 'next/dist/server/route-modules/app-route/helpers/auto-implement-methods';
import { isHTTPMethod } from 'next/dist/server/web/http';

// The app's route handlers behind a fetch function, dispatched the way Next.js does it: the
// route.ts file found by the path (static segments before [param] before [...catchAll]), and
// the method through Next's own table (autoImplementMethods: its 405s, its HEAD and OPTIONS).
// For clients under test that take a fetch (oauth4webapi's customFetch); the real server is
// exercised by the end-to-end tests.

const appDir = path.resolve(__dirname, '..', '..', 'app');

type Params = Record<string, string | string[]>;

/** The route.ts for `segments` below `dir`, or null; route groups `(name)` add no segment. */
function findRoute(dir: string, segments: string[], params: Params): { file: string; params: Params } | null {
  if (segments.length === 0) {
    const file = path.join(dir, 'route.ts');
    if (existsSync(file)) return { file, params };
  }
  const children = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const group of children.filter((name) => /^\(.+\)$/.test(name))) {
    const found = findRoute(path.join(dir, group), segments, params);
    if (found) return found;
  }
  if (segments.length === 0) return null;
  const [head, ...rest] = segments as [string, ...string[]];
  if (children.includes(head)) {
    const found = findRoute(path.join(dir, head), rest, params);
    if (found) return found;
  }
  for (const name of children.filter((child) => /^\[[^.\]]+\]$/.test(child))) {
    const found = findRoute(path.join(dir, name), rest, { ...params, [name.slice(1, -1)]: head });
    if (found) return found;
  }
  for (const name of children.filter((child) => /^\[\.\.\.[^\]]+\]$/.test(child))) {
    const file = path.join(dir, name, 'route.ts');
    if (existsSync(file)) return { file, params: { ...params, [name.slice(4, -1)]: segments } };
  }
  return null;
}

export interface AppFetchOptions {
  /** A path prefix that a reverse proxy in front of the app strips (the public URL's path). */
  stripPrefix?: string;
}

/** A fetch that answers from the app's route handlers, for requests to any host. */
export function appRouteFetch(options: AppFetchOptions = {}): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    let pathname = url.pathname;
    if (options.stripPrefix && (pathname === options.stripPrefix || pathname.startsWith(`${options.stripPrefix}/`))) {
      pathname = pathname.slice(options.stripPrefix.length) || '/';
    }
    const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const route = findRoute(appDir, segments, {});
    if (!route) return new Response('no route', { status: 404 });
    if (!isHTTPMethod(request.method)) return new Response(null, { status: 400 });
    const handlers = autoImplementMethods((await import(route.file)) as never);
    const forwarded = new Request(new URL(`${pathname}${url.search}`, url.origin), request);
    const response = (await handlers[request.method](forwarded as never, { params: Promise.resolve(route.params) } as never)) as Response;
    return request.method === 'HEAD' ? new Response(null, { status: response.status, headers: response.headers }) : response;
  };
}
