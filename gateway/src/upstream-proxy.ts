import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, Pool as PoolType } from 'undici';
// Only the connection pool is loaded, not undici's index (fetch, WebSocket, caches): the whole
// package would add about 13 MB to every gateway's resident memory.
import PoolImplementation from 'undici/lib/dispatcher/pool.js';

const Pool = PoolImplementation as unknown as typeof PoolType;
type Pool = PoolType;
import { GatewayError } from './gateway-error';
import type { UpstreamErrorKind } from './metrics';

// The backend is called through undici's `dispatch` with a callback handler rather than
// `http.request` or undici's stream API: it skips the stream objects and header maps of both, and
// on a benchmark of bare proxies it roughly doubled the requests per second of `http.request`
// (bench/gateway). undici's core still speaks the callback handler natively; the newer
// controller-style handler would be translated into it on every call.

// Headers that describe one hop, never forwarded (RFC 9110 §7.6.1), plus the caller's
// credentials, which are for the gateway only. `expect` is answered by the gateway's own HTTP
// server (100-continue), so it is not passed on either.
const REQUEST_HEADERS_NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'expect',
]);
// Set by the gateway itself from what it was sent (see forwardedRequestHeaders).
const REQUEST_HEADERS_REWRITTEN = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'x-request-id']);
const RESPONSE_HEADERS_NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// RFC 9110 §9.2.2: sending these twice has the effect of sending them once.
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** A production endpoint, pre-split so a request only joins strings. */
export interface UpstreamTarget {
  /** Path prefix of the endpoint URL without trailing slash, e.g. "" or "/v2". */
  basePath: string;
  pool: Pool;
}

/**
 * Keep-alive connection pools shared across config reloads, one per backend origin and connect
 * timeout (the one pool-level setting a config carries). A pool a reload no longer uses only
 * keeps idle sockets until undici's keep-alive timeout closes them.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  targetFor(endpointUrl: string, connectTimeoutMs: number): UpstreamTarget {
    const url = new URL(endpointUrl);
    const key = `${url.origin} ${connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(url.origin, {
        connect: { timeout: connectTimeoutMs },
        // Idle sockets are closed before a Node backend's default 5 s keep-alive timeout would;
        // a shorter Keep-Alive hint from the backend is honoured.
        keepAliveTimeout: 4_000,
      });
      this.pools.set(key, pool);
    }
    return { basePath: url.pathname.replace(/\/+$/, ''), pool };
  }

  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

export interface ProxyCall {
  request: IncomingMessage;
  response: ServerResponse;
  target: UpstreamTarget;
  /** Path and query below the endpoint, e.g. "/pets/7?x=1". */
  pathAndQuery: string;
  /** e.g. "/petstore/1.0.0", sent as X-Forwarded-Prefix. */
  forwardedPrefix: string;
  requestId: string;
  /** Name/value pairs the gateway adds to the answer; they replace the backend's of the same name. */
  gatewayHeaders: string[];
  maxBodyBytes: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  onUpstreamError: (kind: UpstreamErrorKind) => void;
  onGatewayError: (error: GatewayError) => void;
}

/** The caller's headers as undici's flat name/value list, minus hop-by-hop ones, plus X-Forwarded-*. */
function forwardedRequestHeaders(call: ProxyCall): string[] {
  const incoming = call.request.headers;
  const headers: string[] = [];
  for (const name in incoming) {
    if (REQUEST_HEADERS_NOT_FORWARDED.has(name) || REQUEST_HEADERS_REWRITTEN.has(name)) continue;
    const value = incoming[name]!;
    if (typeof value === 'string') headers.push(name, value);
    else for (const item of value) headers.push(name, item);
  }
  const remoteAddress = call.request.socket.remoteAddress ?? '';
  const priorForwardedFor = incoming['x-forwarded-for'];
  headers.push(
    'x-forwarded-for',
    priorForwardedFor ? `${priorForwardedFor}, ${remoteAddress}` : remoteAddress,
    'x-forwarded-host',
    (incoming['x-forwarded-host'] as string | undefined) ?? incoming.host ?? '',
    'x-forwarded-proto',
    (incoming['x-forwarded-proto'] as string | undefined) ?? 'http',
    'x-forwarded-prefix',
    call.forwardedPrefix,
    'x-request-id',
    call.requestId,
  );
  return headers;
}

/** Whether the gateway sets this (lower-case) header itself; Vary is merged, never replaced. */
function setByGateway(gatewayHeaders: readonly string[], lowerCaseName: string): boolean {
  if (lowerCaseName === 'vary') return false;
  for (let index = 0; index < gatewayHeaders.length; index += 2) if (gatewayHeaders[index] === lowerCaseName) return true;
  return false;
}

const hasRequestBody = (request: IncomingMessage) =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * The caller's body as it arrives, cut off (and `onTooLarge` called) once it passes the limit.
 * The request stream is never destroyed from here: the gateway still has to answer 413 on it.
 */
async function* limitedBody(request: IncomingMessage, maxBytes: number, onTooLarge: () => void): AsyncGenerator<Buffer> {
  let receivedBytes = 0;
  for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    receivedBytes += chunk.length;
    if (receivedBytes > maxBytes) {
      onTooLarge();
      return;
    }
    yield chunk;
  }
}

type FailureKind = UpstreamErrorKind | 'body_too_large';

/** Forwards one request to the backend and streams the answer back, mapping failures to 502/504. */
export function proxyToUpstream(call: ProxyCall, attempt = 1): void {
  const { request, response, target } = call;
  const withBody = hasRequestBody(request);

  // Why this call was cut short by the gateway itself, if it was.
  let failureKind: FailureKind | undefined;
  let abortUpstream: ((error?: Error) => void) | undefined;
  const fail = (kind: FailureKind) => {
    if (failureKind) return;
    failureKind = kind;
    abortUpstream?.(new Error(kind));
  };

  const onClientGone = () => {
    if (!response.writableFinished) fail('aborted');
  };
  response.once('close', onClientGone);

  const body = withBody
    ? limitedBody(request, call.maxBodyBytes, () => {
        fail('body_too_large');
        // The rest of the body is never read, so this connection cannot be reused.
        response.setHeader('connection', 'close');
        call.onGatewayError(new GatewayError(413, 'payload_too_large', `request body is larger than the limit of ${call.maxBodyBytes} bytes`));
      })
    : null;

  const handler: Dispatcher.DispatchHandler = {
    onConnect(abort) {
      abortUpstream = abort;
      if (failureKind) abort(new Error(failureKind));
    },

    onHeaders(statusCode, rawHeaders, resume, statusText) {
      if (statusCode < 200) return true; // informational answers are the backend's business
      const { gatewayHeaders } = call;
      const headers: string[] = [];
      for (let index = 0; index < rawHeaders.length; index += 2) {
        const name = rawHeaders[index]!.toString('latin1');
        const lowerCaseName = name.toLowerCase();
        if (RESPONSE_HEADERS_NOT_FORWARDED.has(lowerCaseName) || setByGateway(gatewayHeaders, lowerCaseName)) continue;
        headers.push(name, rawHeaders[index + 1]!.toString('latin1'));
      }
      for (const item of gatewayHeaders) headers.push(item);
      response.writeHead(statusCode, statusText, headers);
      response.on('drain', resume);
      return true;
    },

    onData(chunk) {
      // false pauses the backend's socket until the client has taken what was written.
      return response.write(chunk);
    },

    onComplete() {
      response.off('close', onClientGone);
      response.end();
    },

    onError(error: Error & { code?: string }) {
      response.off('close', onClientGone);
      if (failureKind === 'body_too_large') return;
      if (response.headersSent) {
        // The answer had started: all that is left is to cut the connection so the client sees it.
        response.destroy();
        return;
      }
      // A pooled connection the backend closed just as it was reused: an idempotent request
      // without a body is safe to send once more.
      if (
        !failureKind &&
        !withBody &&
        attempt === 1 &&
        IDEMPOTENT_METHODS.has(request.method ?? '') &&
        (error.code === 'UND_ERR_SOCKET' || error.code === 'ECONNRESET')
      ) {
        proxyToUpstream(call, 2);
        return;
      }
      const kind: UpstreamErrorKind =
        failureKind ??
        (error.code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect_timeout' : error.code === 'UND_ERR_HEADERS_TIMEOUT' ? 'response_timeout' : 'unavailable');
      call.onUpstreamError(kind);
      if (kind === 'aborted') return;
      if (kind === 'connect_timeout') {
        call.onGatewayError(new GatewayError(504, 'gateway_timeout', `the backend could not be reached within ${call.connectTimeoutMs} ms`));
      } else if (kind === 'response_timeout') {
        call.onGatewayError(new GatewayError(504, 'gateway_timeout', `the backend did not answer within ${call.responseTimeoutMs} ms`));
      } else {
        call.onGatewayError(new GatewayError(502, 'bad_gateway', 'the backend is unavailable'));
      }
    },
  };

  target.pool.dispatch(
    {
      method: (request.method ?? 'GET') as Dispatcher.HttpMethod,
      path: target.basePath + call.pathAndQuery,
      headers: forwardedRequestHeaders(call),
      body: body as unknown as Dispatcher.DispatchOptions['body'],
      headersTimeout: call.responseTimeoutMs,
    },
    handler,
  );
}
