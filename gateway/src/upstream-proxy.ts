import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { GatewayError } from './gateway-error';
import type { UpstreamErrorKind } from './metrics';

// Headers that describe one hop, never forwarded (RFC 9110 §7.6.1), plus the caller's
// credentials, which are for the gateway only.
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
]);
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

/** A production endpoint, pre-split so a request only joins strings. */
export interface UpstreamTarget {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Host header value for the backend. */
  host: string;
  /** Path prefix of the endpoint URL without trailing slash, e.g. "" or "/v2". */
  basePath: string;
  agent: http.Agent;
}

/** Keep-alive agents shared across config reloads, one per backend origin. */
export class UpstreamAgentPool {
  private readonly agents = new Map<string, http.Agent>();

  targetFor(endpointUrl: string): UpstreamTarget {
    const url = new URL(endpointUrl);
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    let agent = this.agents.get(url.origin);
    if (!agent) {
      // Idle sockets are closed before a Node backend's default 5 s keep-alive timeout would.
      const options = { keepAlive: true, noDelay: true, maxSockets: 512, maxFreeSockets: 256, timeout: 4_000, scheduling: 'lifo' as const };
      agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(url.origin, agent);
    }
    return {
      protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (protocol === 'https:' ? 443 : 80),
      host: url.host,
      basePath: url.pathname.replace(/\/+$/, ''),
      agent,
    };
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
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
  maxBodyBytes: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  onUpstreamError: (kind: UpstreamErrorKind) => void;
  onGatewayError: (error: GatewayError) => void;
}

function forwardedRequestHeaders(call: ProxyCall): OutgoingHttpHeaders {
  const incoming: IncomingHttpHeaders = call.request.headers;
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (!REQUEST_HEADERS_NOT_FORWARDED.has(name)) headers[name] = incoming[name];
  }
  const remoteAddress = call.request.socket.remoteAddress ?? '';
  const priorForwardedFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = priorForwardedFor ? `${priorForwardedFor}, ${remoteAddress}` : remoteAddress;
  headers['x-forwarded-host'] = incoming['x-forwarded-host'] ?? incoming.host ?? '';
  headers['x-forwarded-proto'] = incoming['x-forwarded-proto'] ?? 'http';
  headers['x-forwarded-prefix'] = call.forwardedPrefix;
  headers['x-request-id'] = call.requestId;
  headers.host = call.target.host;
  return headers;
}

const hasRequestBody = (request: IncomingMessage) =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/** Forwards one request to the backend and streams the answer back, mapping failures to 502/504. */
export function proxyToUpstream(call: ProxyCall, attempt = 1): void {
  const { request, response, target } = call;
  const withBody = hasRequestBody(request);
  const upstreamRequest = (target.protocol === 'https:' ? https : http).request({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: request.method,
    path: target.basePath + call.pathAndQuery,
    headers: forwardedRequestHeaders(call),
    agent: target.agent,
  });

  // Why this call was cut short by the gateway itself, if it was.
  let failureKind: UpstreamErrorKind | 'body_too_large' | undefined;
  let finished = false;
  const fail = (kind: UpstreamErrorKind | 'body_too_large') => {
    if (failureKind) return;
    failureKind = kind;
    upstreamRequest.destroy();
  };

  const responseTimer = setTimeout(() => fail('response_timeout'), call.responseTimeoutMs);
  upstreamRequest.on('socket', (socket: Socket) => {
    if (!socket.connecting) return;
    const connectTimer = setTimeout(() => fail('connect_timeout'), call.connectTimeoutMs);
    socket.once('connect', () => clearTimeout(connectTimer));
    socket.once('close', () => clearTimeout(connectTimer));
  });

  upstreamRequest.on('response', (upstreamResponse) => {
    clearTimeout(responseTimer);
    const headers: OutgoingHttpHeaders = {};
    for (const name in upstreamResponse.headers) {
      if (!RESPONSE_HEADERS_NOT_FORWARDED.has(name)) headers[name] = upstreamResponse.headers[name];
    }
    response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, headers);
    upstreamResponse.pipe(response);
    upstreamResponse.on('end', () => {
      finished = true;
    });
    upstreamResponse.on('error', () => response.destroy());
  });

  upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(responseTimer);
    if (finished) return;
    if (response.headersSent) {
      // The answer had started: all that is left is to cut the connection so the client sees it.
      response.destroy();
      return;
    }
    // A pooled connection the backend closed just as it was reused: safe to retry once when
    // no body has been consumed.
    if (!failureKind && upstreamRequest.reusedSocket && error.code === 'ECONNRESET' && !withBody && attempt === 1) {
      proxyToUpstream(call, 2);
      return;
    }
    if (failureKind === 'body_too_large') return;
    const kind = failureKind ?? (request.destroyed ? 'aborted' : 'unavailable');
    call.onUpstreamError(kind);
    if (kind === 'aborted') return;
    if (kind === 'connect_timeout') {
      call.onGatewayError(new GatewayError(504, 'gateway_timeout', `the backend could not be reached within ${call.connectTimeoutMs} ms`));
    } else if (kind === 'response_timeout') {
      call.onGatewayError(new GatewayError(504, 'gateway_timeout', `the backend did not answer within ${call.responseTimeoutMs} ms`));
    } else {
      call.onGatewayError(new GatewayError(502, 'bad_gateway', 'the backend is unavailable'));
    }
  });

  // The client went away: stop the backend call too.
  response.once('close', () => {
    if (!response.writableFinished) fail('aborted');
  });

  if (!withBody) {
    upstreamRequest.end();
    return;
  }
  let receivedBytes = 0;
  request.on('data', (chunk: Buffer) => {
    receivedBytes += chunk.length;
    if (receivedBytes > call.maxBodyBytes && !failureKind) {
      request.unpipe(upstreamRequest);
      fail('body_too_large');
      clearTimeout(responseTimer);
      // The rest of the body is never read, so this connection cannot be reused.
      response.setHeader('connection', 'close');
      call.onGatewayError(
        new GatewayError(413, 'payload_too_large', `request body is larger than the limit of ${call.maxBodyBytes} bytes`),
      );
    }
  });
  request.pipe(upstreamRequest);
}
