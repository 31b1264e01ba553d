import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_LIMITS } from '@/lib/gateway/gateway-spec-for';

// The local stand-in for a cluster's ingress: one HTTP server per Local cluster on a stable
// port (from the cluster's AccessURL) that sends /<context>/<version>/... to the gateway
// process of that API.

/** What a route points at: anything that can say whether it is ready and on which port. */
export interface IngressTarget {
  status(): { state: string; port?: number };
}

export interface LocalIngressOptions {
  host?: string;
  /** The gateways' own body limit: the ingress refuses larger bodies itself, before a byte goes on. */
  maxBodyBytes?: number;
  /** The stable port, e.g. 8243 from AccessURL https://localhost:8243; 0 picks a free one. */
  port: number;
}

interface IngressRoute {
  prefix: string;
  /** The API that owns the route; only it may replace or remove it. */
  owner: string;
  target: IngressTarget;
}

/** A base path already served, or overlapped, by another API on the same ingress. */
export class RouteTakenError extends Error {
  constructor(readonly prefix: string) {
    // The other API's path stays out of the message: it may belong to another tenant.
    super(`${prefix} is already served by another API at this cluster's address, or overlaps one: choose another context or version`);
  }
}

/** Equal paths, or one a path-segment prefix of the other (/shop/v1 and /shop/v1/admin). */
function overlaps(a: string, b: string): boolean {
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  return longer === shorter || (longer.startsWith(shorter) && longer.charCodeAt(shorter.length) === 47 /* "/" */);
}

function normalizePrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/** How long a refused upload is still read (and dropped) so that its client reads the 413. */
const LINGER_MS = 2_000;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Writes the head and body of a JSON error; false when an answer had begun already (the connection is cut instead). */
function writeJsonError(response: ServerResponse, status: number, code: string, message: string, headers: OutgoingHttpHeaders = {}): boolean {
  if (response.headersSent) {
    response.destroy();
    return false;
  }
  const body = JSON.stringify({ error: { code, message } });
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  response.write(body);
  return true;
}

function sendJsonError(response: ServerResponse, status: number, code: string, message: string): void {
  if (writeJsonError(response, status, code, message)) response.end();
}

export class LocalIngress {
  /** Longest prefix first, so /shop/v1/admin wins over /shop/v1. */
  private routes: IngressRoute[] = [];
  private readonly agent = new http.Agent({ keepAlive: true, noDelay: true, maxSockets: 256, timeout: 4_000 });
  private readonly server = http.createServer({ keepAliveTimeout: 65_000 }, (request, response) => this.forward(request, response));
  private listeningUrl: string | undefined;

  constructor(private readonly options: LocalIngressOptions) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { address, port } = this.server.address() as AddressInfo;
    this.listeningUrl = `http://${address}:${port}`;
    return this.listeningUrl;
  }

  get url(): string | undefined {
    return this.listeningUrl;
  }

  /**
   * Adds or replaces `owner`'s route for a base path such as "/petstore/1.0.0". The ingress is
   * shared by every API (and tenant) on its port, so a path that another owner serves — or that
   * would shadow part of another owner's paths — is refused, never silently taken over.
   */
  setRoute(prefix: string, owner: string, target: IngressTarget): void {
    const normalized = normalizePrefix(prefix);
    this.checkRouteFree(normalized, owner);
    this.routes = [...this.routes.filter((route) => !(route.owner === owner && route.prefix === normalized)), { prefix: normalized, owner, target }].sort(
      (a, b) => b.prefix.length - a.prefix.length,
    );
  }

  /** Throws {@link RouteTakenError} when another owner serves or overlaps `prefix`. */
  checkRouteFree(prefix: string, owner: string): void {
    const normalized = normalizePrefix(prefix);
    const clash = this.routes.find((route) => route.owner !== owner && overlaps(route.prefix, normalized));
    if (clash) throw new RouteTakenError(normalized);
  }

  /** Removes the route only if `owner` holds it: removing your API never removes someone else's. */
  removeRoute(prefix: string, owner: string): void {
    const normalized = normalizePrefix(prefix);
    this.routes = this.routes.filter((route) => !(route.prefix === normalized && route.owner === owner));
  }

  /** Who serves exactly this base path, if anyone. */
  routeOwner(prefix: string): string | undefined {
    const normalized = normalizePrefix(prefix);
    return this.routes.find((route) => route.prefix === normalized)?.owner;
  }

  routePrefixes(): string[] {
    return this.routes.map((route) => route.prefix);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.agent.destroy();
  }

  private findRoute(path: string): IngressRoute | undefined {
    return this.routes.find(
      (route) => path === route.prefix || (path.startsWith(route.prefix) && path.charCodeAt(route.prefix.length) === 47 /* "/" */),
    );
  }

  private forward(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const route = this.findRoute(path);
    if (!route) {
      sendJsonError(response, 404, 'not_found', `no API is deployed at ${path} on this cluster`);
      return;
    }
    const { state, port } = route.target.status();
    if (state !== 'ready' || !port) {
      response.setHeader('retry-after', '1');
      sendJsonError(response, 503, 'service_unavailable', `the gateway of ${route.prefix} is not ready (${state})`);
      return;
    }

    // Refused here rather than by the gateway: a gateway that answers 413 and closes while the
    // body is still being sent would leave this proxy with a broken pipe instead of its answer.
    const maxBodyBytes = this.options.maxBodyBytes ?? GATEWAY_LIMITS.maxBodyBytes;
    const tooLarge = () => {
      if (!writeJsonError(response, 413, 'payload_too_large', `request body is larger than the limit of ${maxBodyBytes} bytes`, { connection: 'close' })) return;
      // A lingering close, as nginx and HAProxy do: closing while the client still sends resets the
      // connection, and the client may see the reset instead of this answer. So what it still sends
      // is read and dropped for a moment — bounded by time and by one more limit's worth — then closed.
      let lingered = 0;
      const close = () => {
        clearTimeout(timer);
        if (!response.writableEnded) response.end();
      };
      const timer = setTimeout(close, LINGER_MS);
      request.on('data', (chunk: Buffer) => {
        lingered += chunk.length;
        if (lingered > maxBodyBytes) close();
      });
      request.once('end', close);
      request.resume();
    };
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) {
      tooLarge();
      return;
    }

    const headers: OutgoingHttpHeaders = {};
    for (const name in request.headers) if (!HOP_BY_HOP.has(name)) headers[name] = request.headers[name];
    const remoteAddress = request.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = request.headers['x-forwarded-for'] ? `${request.headers['x-forwarded-for']}, ${remoteAddress}` : remoteAddress;
    headers['x-forwarded-host'] = request.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';

    let answered = false;
    const upstream = http.request(
      { host: '127.0.0.1', port, method: request.method, path: url, headers, agent: this.agent },
      (upstreamResponse) => {
        answered = true;
        const responseHeaders: OutgoingHttpHeaders = {};
        for (const name in upstreamResponse.headers) {
          if (!HOP_BY_HOP.has(name)) responseHeaders[name] = upstreamResponse.headers[name];
        }
        // An answer before the whole body was sent (a 413 from the gateway): stop sending it, and
        // end the client's connection after the answer rather than read what nobody will use.
        if (!request.complete) {
          request.unpipe(upstream);
          responseHeaders.connection = 'close';
        }
        response.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => {
      // A gateway that answered and then closed while the body was still coming is not a failure.
      if (!answered) sendJsonError(response, 502, 'bad_gateway', `the gateway of ${route.prefix} did not answer`);
    });
    response.once('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // A body without a declared length that grows past the limit.
      if (received > maxBodyBytes && !answered) {
        answered = true;
        request.unpipe(upstream);
        upstream.destroy();
        tooLarge();
      }
    });
    request.pipe(upstream);
  }
}
