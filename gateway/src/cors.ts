import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from './config';

// Headers a browser client (the portal's Try Out console) needs to read from responses.
const EXPOSED_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
  'Location',
].join(', ');

const DEFAULT_ALLOWED_REQUEST_HEADERS = 'Authorization, Content-Type, Accept, X-Request-Id';

/** CORS for the configured origins, so the portal's browser console can call the gateway. */
export class CorsPolicy {
  private readonly origins: Set<string>;
  private readonly anyOrigin: boolean;

  constructor(private readonly settings: GatewayConfig['cors']) {
    this.anyOrigin = settings.allowedOrigins.includes('*');
    // Origins compare without a trailing slash, the way browsers send them.
    this.origins = new Set(settings.allowedOrigins.filter((origin) => origin !== '*').map((origin) => origin.replace(/\/$/, '')));
  }

  allows(origin: string): boolean {
    return this.anyOrigin || this.origins.has(origin);
  }

  /** Adds the headers of an actual (non-preflight) response to an allowed origin to `headers`. */
  addResponseHeaders(headers: string[], origin: string): void {
    headers.push(
      'access-control-allow-origin',
      this.anyOrigin && !this.settings.allowCredentials ? '*' : origin,
      'vary',
      'Origin',
      'access-control-expose-headers',
      EXPOSED_HEADERS,
    );
    if (this.settings.allowCredentials) headers.push('access-control-allow-credentials', 'true');
  }

  /** Answers a preflight for an allowed origin; no credentials are needed for it. */
  answerPreflight(request: IncomingMessage, response: ServerResponse, origin: string, allowedMethods: string, headers: string[]): void {
    this.addResponseHeaders(headers, origin);
    const requestedHeaders = request.headers['access-control-request-headers'];
    headers.push(
      'access-control-allow-methods',
      allowedMethods,
      'access-control-allow-headers',
      requestedHeaders || DEFAULT_ALLOWED_REQUEST_HEADERS,
      'access-control-max-age',
      String(this.settings.maxAgeSeconds),
      'content-length',
      '0',
    );
    response.writeHead(204, headers);
    response.end();
  }
}
