import type { ServerResponse } from 'node:http';

/** Machine-readable error codes of the gateway's JSON error body. */
export type GatewayErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'bad_request'
  | 'missing_credentials'
  | 'invalid_token'
  | 'invalid_credentials'
  | 'not_subscribed'
  | 'tier_not_configured'
  | 'origin_not_allowed'
  | 'throttled'
  | 'payload_too_large'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'service_unavailable'
  | 'internal_error';

/** A refusal decided by the gateway, carried to the one place that writes error responses. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: GatewayErrorCode,
    message: string,
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/**
 * Writes `{ "error": { "code", "message" } }`; messages never carry backend internals.
 * `gatewayHeaders` are the name/value pairs the gateway adds to every answer of this request.
 */
export function sendGatewayError(response: ServerResponse, error: GatewayError, gatewayHeaders: readonly string[] = []): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const headers = [...gatewayHeaders];
  for (const [name, value] of Object.entries(error.headers)) {
    if (typeof value === 'string') headers.push(name, value);
    else for (const item of value) headers.push(name, item);
  }
  headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'no-store');
  response.writeHead(error.status, headers);
  response.end(body);
}
