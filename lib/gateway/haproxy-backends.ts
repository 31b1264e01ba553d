import { apiBasePath, type GatewaySpec } from './gateway-spec';

/** The backends a gateway forwards to: the API's production and sandbox endpoints. */

const regexEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One kind of endpoint (production or sandbox) as a backend: round robin, the path rewritten to the endpoints' base path. */
export function backendSection(spec: GatewaySpec, name: string, what: string, urls: readonly string[]): string[] {
  const base = apiBasePath(spec.api);
  const endpoint = new URL(urls[0]!);
  const endpointPath = endpoint.pathname.replace(/\/+$/, '');
  return [
    '',
    `backend ${name}`,
    `  # ${what}, round robin, with kept-alive connections reused across requests.`,
    '  balance roundrobin',
    '  http-reuse always',
    '  retry-on conn-failure empty-response',
    '  # The token stays at the gateway; the backend sees who called through X-Forwarded-* only.',
    '  http-request del-header Authorization',
    '  http-request set-header X-Forwarded-For %[src]',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    `  http-request set-header X-Forwarded-Proto ${spec.forwardedProto}`,
    `  http-request set-header X-Forwarded-Prefix ${base}`,
    `  http-request replace-path '^${regexEscape(base)}/?(.*)' '${endpointPath}/\\1'`,
    `  http-request set-header Host ${endpoint.host}`,
    '  # Hop-by-hop headers of the backend stay with the backend.',
    '  http-response del-header Keep-Alive',
    '  # No connection to any endpoint (refused, unreachable) is a bad gateway, not an unavailable service.',
    '  http-after-response set-status 502 if { status 503 }',
    ...urls.map((url, index) => `  server endpoint${index + 1} ${serverAddress(new URL(url))}`),
  ];
}

/** "host:port" plus TLS with the system's CAs for https, resolved at start and again by DNS at run time. */
function serverAddress(url: URL): string {
  const https = url.protocol === 'https:';
  const port = url.port || (https ? '443' : '80');
  const tls = https ? ` ssl verify required ca-file @system-ca sni str(${url.hostname})` : '';
  return `${url.hostname}:${port}${tls} init-addr last,libc,none resolvers default`;
}
