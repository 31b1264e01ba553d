import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AccessLog, eventLogger, type LogSink } from './access-log';
import { ANONYMOUS_PRINCIPAL, type Principal } from './auth/principal';
import { ConfigStore } from './config-store';
import { GatewayError, sendGatewayError } from './gateway-error';
import type { GatewayRuntime } from './gateway-runtime';
import { GatewayMetrics } from './metrics';
import { TokenBucketThrottle } from './throttle';
import { UpstreamPools, proxyToUpstream } from './upstream-proxy';

export interface GatewayOptions {
  configPath: string;
  host?: string;
  port?: number;
  /** Where access-log lines go (default stdout). */
  accessLogSink?: LogSink;
  /** Where operational events go (default stderr). */
  eventSink?: LogSink;
  /** This process's share of each tier's rate (1 / number of worker processes). */
  throttleShare?: number;
  /** How long a drain waits for in-flight requests before cutting them. */
  drainTimeoutMs?: number;
  jwksMinRefreshIntervalMs?: number;
}

export interface RunningGateway {
  url: string;
  /** Graceful drain: stop accepting, let in-flight requests finish, then release everything. */
  close(): Promise<void>;
}

/** What the gateway learns about one request as it goes, and what it adds to the answer. */
interface RequestState {
  requestId: string;
  consumer: string;
  tier: string;
  /** Name/value pairs the gateway adds to any answer to this request (request id, rate limits, CORS). */
  responseHeaders: string[];
}

const JSON_HEADERS = ['content-type', 'application/json; charset=utf-8', 'cache-control', 'no-store'];
const processTag = process.pid.toString(36);

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const logEvent = eventLogger(options.eventSink ?? ((chunk) => process.stderr.write(chunk)));
  const accessLog = new AccessLog(options.accessLogSink ?? ((chunk) => process.stdout.write(chunk)));
  const upstreams = new UpstreamPools();
  const store = new ConfigStore(options.configPath, {
    upstreams,
    logEvent,
    jwksMinRefreshIntervalMs: options.jwksMinRefreshIntervalMs,
  });
  await store.start();

  const metrics = new GatewayMetrics({});
  const throttle = new TokenBucketThrottle(options.throttleShare ?? 1);
  let draining = false;
  let inFlight = 0;
  let requestSequence = 0;
  let onIdle: (() => void) | undefined;

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const startedAt = performance.now();
    const url = request.url ?? '/';
    inFlight++;
    const requestId = (request.headers['x-request-id'] as string | undefined) ?? `${processTag}-${(++requestSequence).toString(36)}`;
    // Headers are collected and handed to writeHead in one list rather than set one by one:
    // setHeader makes Node merge them with the backend's on every response.
    const state: RequestState = { requestId, consumer: '-', tier: '-', responseHeaders: ['x-request-id', requestId] };
    if (draining) response.shouldKeepAlive = false;

    response.once('close', () => {
      inFlight--;
      const status = response.statusCode;
      const durationMs = performance.now() - startedAt;
      metrics.recordRequest(status, durationMs / 1000);
      const queryStart = url.indexOf('?');
      accessLog.record({
        time: new Date().toISOString(),
        requestId,
        method: request.method ?? '-',
        path: queryStart < 0 ? url : url.slice(0, queryStart),
        status,
        durationMs: Math.round(durationMs * 1000) / 1000,
        consumer: state.consumer,
        tier: state.tier,
        remote: request.socket.remoteAddress,
      });
      if (inFlight === 0 && onIdle) onIdle();
    });

    if (url.startsWith('/health/') || url === '/metrics') {
      answerOperationalPath(url, response, state);
      return;
    }
    const runtime = store.runtime;
    // While draining, requests that still arrive are served (the load balancer may not have
    // noticed yet), each on a connection that closes afterwards.
    if (!runtime) {
      sendGatewayError(response, new GatewayError(503, 'service_unavailable', 'the gateway has no valid config yet'), state.responseHeaders);
      return;
    }
    try {
      routeRequest(runtime, request, response, url, state);
    } catch (error) {
      failRequest(response, error, logEvent, state);
    }
  }

  function answerOperationalPath(url: string, response: ServerResponse, state: RequestState): void {
    const { responseHeaders } = state;
    if (url === '/health/live') {
      response.writeHead(200, [...responseHeaders, ...JSON_HEADERS]).end('{"status":"live"}');
    } else if (url === '/health/ready') {
      const ready = store.runtime !== undefined && !draining;
      response
        .writeHead(ready ? 200 : 503, [...responseHeaders, ...JSON_HEADERS])
        .end(JSON.stringify({ status: ready ? 'ready' : draining ? 'draining' : 'no config' }));
    } else if (url === '/metrics') {
      metrics.render().then(
        (text) => response.writeHead(200, [...responseHeaders, 'content-type', metrics.registry.contentType]).end(text),
        (error: Error) => failRequest(response, error, logEvent, state),
      );
    } else {
      sendGatewayError(response, new GatewayError(404, 'not_found', 'no such path; health checks are /health/live and /health/ready'), responseHeaders);
    }
  }

  function routeRequest(
    runtime: GatewayRuntime,
    request: IncomingMessage,
    response: ServerResponse,
    url: string,
    state: RequestState,
  ): void {
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const { basePath } = runtime;
    if (!path.startsWith(basePath) || (path.length > basePath.length && path.charCodeAt(basePath.length) !== 47 /* "/" */)) {
      throw new GatewayError(404, 'not_found', `no API at ${path}; this gateway serves ${basePath}`);
    }
    const resourcePath = path.slice(basePath.length);
    const match = runtime.routes.match(resourcePath);
    if (match.kind === 'dot_segment') throw new GatewayError(400, 'bad_request', 'path must not contain "." or ".." segments');

    const origin = request.headers.origin;
    const method = request.method ?? 'GET';
    if (origin !== undefined) {
      if (method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
        if (!runtime.cors.allows(origin)) {
          throw new GatewayError(403, 'origin_not_allowed', `origin "${origin}" may not call this API from a browser`);
        }
        if (match.kind !== 'matched') throw new GatewayError(404, 'not_found', `no resource ${resourcePath || '/'} in ${basePath}`);
        runtime.cors.answerPreflight(request, response, origin, match.path.allowHeader, state.responseHeaders);
        return;
      }
      if (runtime.cors.allows(origin)) runtime.cors.addResponseHeaders(state.responseHeaders, origin);
    }

    if (match.kind !== 'matched') throw new GatewayError(404, 'not_found', `no resource ${resourcePath || '/'} in ${basePath}`);
    const operation = match.path.operations.get(method);
    if (!operation) {
      throw new GatewayError(405, 'method_not_allowed', `${method} is not allowed on ${resourcePath}; allowed: ${match.path.allowHeader}`, {
        allow: match.path.allowHeader,
      });
    }
    const declaredLength = request.headers['content-length'];
    const { limits } = runtime.config;
    if (declaredLength !== undefined && Number(declaredLength) > limits.maxBodyBytes) {
      response.setHeader('connection', 'close');
      throw new GatewayError(413, 'payload_too_large', `request body is larger than the limit of ${limits.maxBodyBytes} bytes`);
    }

    const principal: Principal | Promise<Principal> = operation.requiresCredentials
      ? runtime.authenticator.authenticate(request.headers.authorization)
      : ANONYMOUS_PRINCIPAL;
    if (principal instanceof Promise) {
      principal.then(
        (resolved) => forward(runtime, request, response, resolved, resourcePath, url, queryStart, state),
        (error: unknown) => failRequest(response, error, logEvent, state),
      );
    } else {
      forward(runtime, request, response, principal, resourcePath, url, queryStart, state);
    }
  }

  function forward(
    runtime: GatewayRuntime,
    request: IncomingMessage,
    response: ServerResponse,
    principal: Principal,
    resourcePath: string,
    url: string,
    queryStart: number,
    state: RequestState,
  ): void {
    if (response.destroyed) return;
    state.consumer = principal.consumer;
    state.tier = principal.tier;
    if (principal.requestsPerMinute !== 'unlimited') {
      const decision = throttle.take(principal.applicationKey, principal.requestsPerMinute);
      state.responseHeaders.push(
        'ratelimit-limit',
        String(decision.limit),
        'ratelimit-remaining',
        String(decision.remaining),
        'ratelimit-reset',
        String(decision.resetSeconds),
      );
      if (!decision.allowed) {
        sendGatewayError(
          response,
          new GatewayError(
            429,
            'throttled',
            `rate limit of tier "${principal.tier}" (${decision.limit} requests per minute) reached; retry in ${decision.retryAfterSeconds} s`,
            { 'retry-after': String(decision.retryAfterSeconds) },
          ),
          state.responseHeaders,
        );
        return;
      }
    }
    const { limits } = runtime.config;
    proxyToUpstream({
      request,
      response,
      target: runtime.nextTarget(),
      pathAndQuery: queryStart < 0 ? resourcePath : resourcePath + url.slice(queryStart),
      forwardedPrefix: runtime.basePath,
      requestId: state.requestId,
      gatewayHeaders: state.responseHeaders,
      maxBodyBytes: limits.maxBodyBytes,
      connectTimeoutMs: limits.connectTimeoutMs,
      responseTimeoutMs: limits.responseTimeoutMs,
      onUpstreamError: (kind) => metrics.recordUpstreamError(kind),
      onGatewayError: (error) => sendGatewayError(response, error, state.responseHeaders),
    });
  }

  const server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, handleRequest);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logEvent('listening', { address: address.address, port: address.port });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${address.port}`,
    close() {
      closing ??= (async () => {
        draining = true;
        logEvent('draining', { inFlight });
        const stoppedListening = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            const deadline = setTimeout(resolve, options.drainTimeoutMs ?? 25_000);
            onIdle = () => {
              clearTimeout(deadline);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await stoppedListening;
        store.stop();
        await upstreams.destroy();
        accessLog.flush();
        logEvent('drained', { unfinished: inFlight });
      })();
      return closing;
    },
  };
}

function failRequest(response: ServerResponse, error: unknown, logEvent: ReturnType<typeof eventLogger>, state: RequestState): void {
  if (error instanceof GatewayError) {
    sendGatewayError(response, error, state.responseHeaders);
    return;
  }
  logEvent('internal_error', { reason: (error as Error)?.stack ?? String(error) });
  sendGatewayError(response, new GatewayError(500, 'internal_error', 'the gateway failed to handle this request'), state.responseHeaders);
}
