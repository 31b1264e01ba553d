import { createHash } from 'node:crypto';
import { apiBasePath, type GatewaySpec } from './gateway-spec';
import { compareTemplates, templateRegex } from './openapi-routes';
import { PRIVATEJET_LUA } from './privatejet-lua';
import { BASIC_USERLIST, BASIC_USERS_CONFIG_FILE, BASIC_USERS_SCRIPT } from './security-resources';

/**
 * The HAProxy configuration of one dedicated gateway: a pure function of its spec, producing
 * every file the proxy loads. The same files run on the machine's haproxy (Local, 2.6) and in
 * the stock official image (clusters, 3.0); only the environment differs (bind address, the
 * secret file's path). The output is meant to be read by whoever debugs a gateway: sections in
 * request order, each rule with the reason it is there.
 */

export type GatewayFiles = Record<string, string>;

export const HAPROXY_CONFIG_FILE = 'haproxy.cfg';
export const REVOKED_TOKENS_MAP = 'revoked-tokens.map';
export const REVOKED_APPLICATIONS_MAP = 'revoked-applications.map';
/** The public key of the cluster's other JWT issuer, when the gateway accepts its tokens. */
export const EXTERNAL_JWT_KEY_FILE = 'external-jwt.pem';
/** Turns the mounted Basic Secret into BASIC_USERS_CONFIG_FILE in a pod (see security-resources.ts). */
export const BASIC_USERS_SCRIPT_FILE = 'basic-users.sh';

/** Environment of the proxy process: where to listen, and the file holding the gateway's client secret. */
export const GATEWAY_ENV = {
  bind: 'PRIVATEJET_GATEWAY_BIND',
  secretFile: 'PRIVATEJET_GATEWAY_SECRET_FILE',
  /** The folder holding client-id and client-secret of the cluster's other introspection server. */
  externalIntrospectionDir: 'PRIVATEJET_EXTERNAL_INTROSPECTION_DIR',
} as const;
/** Where a pod mounts the cluster's OAuth2 Secret (client-id, client-secret). */
export const EXTERNAL_INTROSPECTION_DIR = '/etc/privatejet/oauth-introspection';

const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt', 'jwt'];
const EXPOSED_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate, X-Request-Id, Location';
const DEFAULT_ALLOWED_REQUEST_HEADERS = 'Authorization, Content-Type, Accept, X-Request-Id';
/** Headers a client may use to make a backend see another method or path than the one routed. */
const OVERRIDE_HEADERS = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override', 'X-Original-URL', 'X-Rewrite-URL'];
/** Forwarding headers the gateway writes itself; whatever a client sent under these names is dropped. */
const FORWARDING_HEADERS = ['Forwarded', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port', 'X-Forwarded-Prefix', 'X-Real-IP'];
/** The exporter's `metrics` parameter (HAProxy 3.0): "-name" leaves a metric out. */
const METRICS_FILTER = 'metrics=-haproxy_process_failed_resolutions,-haproxy_process_pipes_used_total,-haproxy_process_pipes_free_total';

/** A piece of a message: literal text, or a sample expression whose value is JSON-escaped. */
type MessagePart = string | { sample: string };
const sample = (expression: string): MessagePart => ({ sample: expression });

/** JSON string content for a log-format string in single quotes: no quote may end it early. */
function jsonLiteral(text: string): string {
  if (text.includes("'")) throw new Error(`generated text must not contain a single quote: ${text}`);
  return JSON.stringify(text).slice(1, -1).replace(/%/g, '%%');
}

function messageFormat(parts: MessagePart[]): string {
  return parts.map((part) => (typeof part === 'string' ? jsonLiteral(part) : `%[${part.sample},json(utf8s)]`)).join('');
}

function errorBody(code: string, message: MessagePart[]): string {
  return `{"error":{"code":"${code}","message":"${messageFormat(message)}"}}`;
}

interface Refusal {
  status: number;
  code: string;
  message: MessagePart[];
  when: string;
  headers?: Array<[string, string]>;
}

/** `http-request return` of a JSON error: the one shape of every refusal. */
function refuse({ status, code, message, when, headers = [] }: Refusal): string {
  const extra = headers.map(([name, value]) => ` hdr ${name} '${value}'`).join('');
  return `  http-request return status ${status} content-type application/json lf-string '${errorBody(code, message)}'${extra} if ${when}`;
}

const regexEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every file of the gateway for `spec`, keyed by file name (flat: they also become ConfigMap keys). */
export function haproxyGatewayFiles(spec: GatewaySpec): GatewayFiles {
  const files: GatewayFiles = {
    [HAPROXY_CONFIG_FILE]: haproxyConfig(spec),
    'operations.map': operationsMap(spec),
    'paths.map': pathsMap(spec),
    [REVOKED_TOKENS_MAP]: '# jti of revoked access tokens: filled at run time from the portal (privatejet.lua)\n',
    [REVOKED_APPLICATIONS_MAP]:
      '# application id -> time (epoch seconds) before which its tokens no longer grant this API: filled at run time\n',
    'privatejet.lua': PRIVATEJET_LUA,
  };
  for (const key of spec.authorizationServer.keys) files[keyFileName(key.kid)] = key.pem.endsWith('\n') ? key.pem : `${key.pem}\n`;
  const external = spec.security.externalJwt;
  if (external) files[EXTERNAL_JWT_KEY_FILE] = external.pem.endsWith('\n') ? external.pem : `${external.pem}\n`;
  if (spec.security.basic) files[BASIC_USERS_SCRIPT_FILE] = BASIC_USERS_SCRIPT;
  return files;
}

/**
 * Changes exactly when a running gateway must load its files again: a file or the client secret
 * changed (only a hash of the secret takes part, so the result says nothing about it).
 */
export function gatewayConfigHash(spec: GatewaySpec, clientSecret: string): string {
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(haproxyGatewayFiles(spec)).sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${name}\0${text}\0`);
  hash.update(createHash('sha256').update(clientSecret).digest('hex'));
  return hash.digest('hex').slice(0, 16);
}

export function keyFileName(kid: string): string {
  return `key-${kid}.pem`;
}

/** The routes in match order (see compareTemplates), so the first match is OpenAPI's. */
function sortedRoutes(spec: GatewaySpec) {
  return [...spec.routes].sort((a, b) => compareTemplates(a.template, b.template));
}

/** "METHOD/path" regex → "token" or "public": one lookup decides routing and whether credentials are needed. */
function operationsMap(spec: GatewaySpec): string {
  const base = apiBasePath(spec.api);
  const lines = [
    `# Operations of ${base}: "<METHOD><path>" regular expression -> token | public.`,
    '# First match wins; literal segments come before templated ones. HEAD is served wherever GET is.',
  ];
  for (const route of sortedRoutes(spec)) {
    const operations = new Map(route.operations.map((operation) => [operation.method, operation.public]));
    if (operations.has('GET') && !operations.has('HEAD')) operations.set('HEAD', operations.get('GET')!);
    lines.push(`# ${route.template}`);
    for (const [method, open] of operations) lines.push(`^${method}${templateRegex(base, route.template)}$ ${open ? 'public' : 'token'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Path regex → its Allow header, for 405 answers and CORS preflights. */
function pathsMap(spec: GatewaySpec): string {
  const base = apiBasePath(spec.api);
  const lines = [`# Paths of ${base}: regular expression -> the methods allowed there (405 Allow, CORS preflight).`];
  for (const route of sortedRoutes(spec)) {
    const methods = route.operations.map((operation) => operation.method);
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    lines.push(`^${templateRegex(base, route.template)}$ ${methods.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

function haproxyConfig(spec: GatewaySpec): string {
  const { api, authorizationServer: as, limits } = spec;
  const base = apiBasePath(api);
  const realm = `realm="${base}"`;
  const portalTokens = spec.security.jwt || spec.security.opaqueTokens;
  const tokensRequired = portalTokens || spec.security.basic === true || spec.security.externalJwt !== undefined;
  const kids = as.keys.map((key) => key.kid);
  const limitedTiers = Object.entries(spec.tiers).flatMap(([tier, rate]) =>
    rate === 'unlimited' ? [] : [{ tier, limit: Math.max(1, Math.ceil(rate / spec.replicas)) }],
  );
  const anyOrigin = spec.cors.allowedOrigins.includes('*');
  const origins = spec.cors.allowedOrigins.filter((origin) => origin !== '*').map((origin) => origin.replace(/\/$/, ''));
  const invalidToken = (message: MessagePart[], when: string): string =>
    refuse({ status: 401, code: 'invalid_token', message, when, headers: [['WWW-Authenticate', `Bearer ${realm}, error="invalid_token"`]] });
  const notSubscribed = (message: MessagePart[], when: string, code = 'not_subscribed'): string => refuse({ status: 403, code, message, when });
  const hasProduction = spec.endpoints.length > 0;
  const hasSandbox = spec.sandboxEndpoints.length > 0;

  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);
  const blank = () => out.push('');

  add(
    `# Dedicated gateway of API "${api.name}" ${api.version} (id ${api.id}) of tenant ${api.tenant}, served at ${base}.`,
    '# Generated by PrivateJet from the API and the platform settings; a deploy overwrites it.',
    '# Files next to this one: operations.map and paths.map (routes), key-<kid>.pem (the portal\'s',
    '# token signing keys), privatejet.lua (opaque tokens, revocations), revoked-*.map (filled at run time).',
    ...(spec.security.externalJwt ? ["# external-jwt.pem: the key of the cluster's other JWT issuer (its JWT resource)."] : []),
    ...(spec.security.basic
      ? [`# ${BASIC_USERS_CONFIG_FILE}: the userlist of the cluster's Basic users, loaded as a second -f file (rendered`, `# from the cluster's Secret by ${BASIC_USERS_SCRIPT_FILE} in a pod, by PrivateJet on Local).`]
      : []),
    '',
    'global',
    '  # Every file below is named relative to the folder of this file.',
    '  default-path config',
    '  # One thread per gateway: a gateway scales by replicas, and one thread keeps memory small.',
    '  nbthread 1',
    '  maxconn 4096',
    '  # A graceful stop (SIGUSR1, or a reload) lets requests in flight finish, for 25 s at most.',
    '  hard-stop-after 25s',
    '  log stdout format raw local0 info',
    '  # Read by privatejet.lua: who this gateway is and where the portal is.',
    `  setenv PRIVATEJET_API_ID ${api.id}`,
    `  setenv PRIVATEJET_CLIENT_ID ${as.clientId}`,
    ...(spec.security.opaqueTokens
      ? [`  setenv PRIVATEJET_INTROSPECTION_URL ${as.introspectionUrl}`, `  setenv PRIVATEJET_INTROSPECTION_CACHE_SECONDS ${as.introspectionCacheSeconds}`]
      : []),
    ...(portalTokens
      ? [`  setenv PRIVATEJET_REVOCATIONS_URL ${as.revocationsUrl}`, `  setenv PRIVATEJET_REVOCATIONS_POLL_SECONDS ${as.revocationsPollSeconds}`]
      : []),
    `  # Defaults for a pod (port ${8080}); the Local cluster sets its own bind address and secret file.`,
    `  presetenv ${GATEWAY_ENV.bind} :8080`,
    `  presetenv ${GATEWAY_ENV.secretFile} /etc/privatejet/gateway-secret/client-secret`,
    ...(spec.security.externalIntrospection
      ? [
          "  # The cluster's other authorization server; its client id and secret are files of the mounted Secret.",
          `  setenv PRIVATEJET_EXTERNAL_INTROSPECTION_URL ${spec.security.externalIntrospection.introspectionUrl}`,
          `  presetenv ${GATEWAY_ENV.externalIntrospectionDir} ${EXTERNAL_INTROSPECTION_DIR}`,
        ]
      : []),
    '  tune.lua.maxmem 64',
    '  lua-load privatejet.lua',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option dontlognull',
    '  # On a reload the old worker keeps idle keep-alive connections until their next response (which',
    '  # then closes them), so a client never sends a request into a connection being closed.',
    '  option idle-close-on-response',
    `  timeout connect ${limits.connectTimeoutMs}ms`,
    '  timeout client 30s',
    `  timeout server ${limits.responseTimeoutMs}ms`,
    '  timeout http-request 10s',
    '  timeout http-keep-alive 60s',
    '  # Failures the proxy answers itself are JSON like every other refusal, and name no backend.',
    `  http-error status 400 content-type application/json string '${errorBody('bad_request', ['the request is not valid HTTP'])}'`,
    `  http-error status 408 content-type application/json string '${errorBody('request_timeout', ['the request was not received in time'])}'`,
    `  http-error status 500 content-type application/json string '${errorBody('internal_error', ['the gateway failed to handle this request'])}'`,
    `  http-error status 502 content-type application/json string '${errorBody('bad_gateway', ['the backend is unavailable'])}'`,
    `  http-error status 503 content-type application/json string '${errorBody('bad_gateway', ['the backend is unavailable'])}'`,
    `  http-error status 504 content-type application/json string '${errorBody('gateway_timeout', [`the backend did not answer within ${limits.responseTimeoutMs} ms`])}'`,
    '',
    'frontend gateway',
    `  bind "\${${GATEWAY_ENV.bind}}"`,
    '  # One JSON line per request on stdout: request id, consumer, tier, status, duration.',
    '  unique-id-format %[uuid()]',
    `  log-format '{"time":"%[date,utime(%Y-%m-%dT%H:%M:%SZ)]","request_id":"%ID","method":"%HM","path":"%[var(txn.path),json(utf8s)]","status":%ST,"duration_ms":%Ta,"bytes":%B,"consumer":"%[var(txn.client_id),json(utf8s)]","application":"%[var(txn.app_id),json(utf8s)]","tier":"%[var(txn.tier),json(utf8s)]","key_type":"%[var(txn.key_type),json(utf8s)]","termination":"%tsc"}'`,
    '',
    '  # 1. The gateway\'s own paths, for the kubelet and for Prometheus; never logged.',
    '  acl own_path path /health/live /health/ready /metrics /metrics/traffic',
    '  http-request set-log-level silent if own_path',
    '  # Traffic counters of this gateway for the portal (privatejet.lua): every other request is counted',
    '  # once, when its response starts, with the time it took to get there.',
    '  http-request use-service lua.privatejet_traffic if { path /metrics/traffic }',
    '  http-request set-var(txn.pj_counted) bool(1) if !own_path',
    '  http-request set-var(txn.pj_start_us) date(0,us) if !own_path',
    '  http-after-response set-var(txn.pj_count) lua.privatejet_count if { var(txn.pj_counted) -m bool }',
    `  http-request return status 200 content-type application/json string '{"status":"live"}' if { path /health/live }`,
    `  http-request return status 200 content-type application/json string '{"status":"ready"}' if { path /health/ready }`,
    // Counters must end in _total and be counters (Prometheus naming, checked with promtool in
    // gateway-metrics.haproxy.test.ts). HAProxy's exporter breaks that with three global metrics,
    // always 0 here (no resolvers, no splicing); 3.0 can leave them out, 2.6 ignores the filter.
    '  # The exporter leaves out haproxy_process_failed_resolutions (a counter without "_total") and',
    '  # the pipe counts (current values typed as counters); a scraper\'s own parameters are kept.',
    `  http-request set-query ${METRICS_FILTER} if { path /metrics } !{ query -m found }`,
    `  http-request set-query %[query]&${METRICS_FILTER} if { path /metrics } { query -m found }`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    '',
    '  # 2. What the client sent that only the gateway may say: method overrides, rewritten URLs,',
    '  #    forwarding and request-id headers. The backend sees the request exactly as routed.',
    ...[...OVERRIDE_HEADERS, ...FORWARDING_HEADERS, 'X-Request-Id'].map((header) => `  http-request del-header ${header}`),
    '  unique-id-header X-Request-Id',
    '  http-after-response set-header X-Request-Id %[unique-id]',
    '  http-request set-var(txn.path) path',
    '  http-request set-var(txn.now) date',
    '',
    '  # 3. Paths that could mean one thing here and another at the backend are refused:',
    '  #    dot segments, encoded slashes or backslashes, backslashes, encoded NUL.',
    `  acl ambiguous_path path -m reg -i '(^|/)(\\.|%2e){1,2}(/|$)'`,
    `  acl ambiguous_path path -m reg -i '%2f|%5c|%00|\\x5c'`,
    refuse({ status: 400, code: 'bad_request', message: ['path must not contain "." or ".." segments, encoded slashes, backslashes or NUL'], when: 'ambiguous_path' }),
    '',
    `  # 4. Routing: only ${base} and the OpenAPI paths and methods below it.`,
    `  acl in_api path ${base}`,
    `  acl in_api path_beg ${base}/`,
    refuse({ status: 404, code: 'not_found', message: ['no API at ', sample('var(txn.path)'), `; this gateway serves ${base}`], when: '!in_api' }),
    '  http-request set-var(txn.operation) method,concat(,txn.path,)',
    '  http-request set-var(txn.access) var(txn.operation),map_reg(operations.map)',
    '  acl operation_found var(txn.access) -m found',
    '  http-request set-var(txn.allow) var(txn.path),map_reg(paths.map) if !operation_found',
    '  acl path_found var(txn.allow) -m found',
    '',
    '  # 5. CORS: the portal\'s Try Out and the API\'s allowed origins; a preflight needs no credentials.',
    `  acl cors_origin_allowed ${anyOrigin ? 'req.fhdr(origin) -m found' : `req.fhdr(origin) -m str ${origins.length > 0 ? origins.join(' ') : '-'}`}`,
    '  acl preflight method OPTIONS',
    '  acl preflight_request req.fhdr(access-control-request-method) -m found',
    '  http-request set-var(txn.cors_origin) req.fhdr(origin) if cors_origin_allowed',
    '  http-request set-var(txn.allow) var(txn.path),map_reg(paths.map) if preflight preflight_request',
    refuse({
      status: 403,
      code: 'origin_not_allowed',
      message: ['origin "', sample('req.fhdr(origin)'), '" may not call this API from a browser'],
      when: 'preflight preflight_request { req.fhdr(origin) -m found } !cors_origin_allowed',
    }),
    refuse({ status: 404, code: 'not_found', message: ['no resource ', sample('var(txn.path)'), ` in ${base}`], when: 'preflight preflight_request !{ var(txn.allow) -m found }' }),
    `  http-request return status 204 hdr Access-Control-Allow-Methods "%[var(txn.allow)]" hdr Access-Control-Allow-Headers "%[req.fhdr(access-control-request-headers)]" hdr Access-Control-Max-Age ${spec.cors.maxAgeSeconds} if preflight preflight_request { req.fhdr(access-control-request-headers) -m found }`,
    `  http-request return status 204 hdr Access-Control-Allow-Methods "%[var(txn.allow)]" hdr Access-Control-Allow-Headers "${DEFAULT_ALLOWED_REQUEST_HEADERS}" hdr Access-Control-Max-Age ${spec.cors.maxAgeSeconds} if preflight preflight_request`,
    `  http-after-response set-header Access-Control-Allow-Origin ${anyOrigin ? '*' : '%[var(txn.cors_origin)]'} if { var(txn.cors_origin) -m found }`,
    `  http-after-response set-header Access-Control-Expose-Headers "${EXPOSED_HEADERS}" if { var(txn.cors_origin) -m found }`,
    '  http-after-response add-header Vary Origin',
    '',
    '  # 6. Unknown resource, wrong method, too large a body.',
    refuse({ status: 404, code: 'not_found', message: ['no resource ', sample('var(txn.path)'), ` in ${base}`], when: '!operation_found !path_found' }),
    refuse({
      status: 405,
      code: 'method_not_allowed',
      message: [sample('method'), ' is not allowed on ', sample('var(txn.path)'), '; allowed: ', sample('var(txn.allow)')],
      when: '!operation_found',
      headers: [['Allow', '%[var(txn.allow)]']],
    }),
    refuse({
      status: 413,
      code: 'payload_too_large',
      message: [`request body is larger than the limit of ${limits.maxBodyBytes} bytes`],
      when: `{ req.hdr_val(content-length) gt ${limits.maxBodyBytes} }`,
    }),
  );

  if (tokensRequired) {
    const accepted = [
      ...(portalTokens ? ['Authorization: Bearer <access token>'] : []),
      ...(spec.security.externalJwt && !portalTokens ? ['Authorization: Bearer <JWT>'] : []),
      ...(spec.security.basic ? ['Basic credentials of a user of the cluster'] : []),
    ];
    const challenges: Array<[string, string]> = [
      ...(portalTokens || spec.security.externalJwt ? [['WWW-Authenticate', `Bearer ${realm}`] as [string, string]] : []),
      ...(spec.security.basic ? [['WWW-Authenticate', `Basic ${realm}, charset="UTF-8"`] as [string, string]] : []),
    ];
    add(
      '',
      `  # 7. Credentials${accepted.length === 1 && portalTokens ? ': an access token of the portal' : ''}, unless the operation says security: [].`,
      '  acl needs_token var(txn.access) -m str token',
      '  http-request set-var(txn.token) http_auth_bearer if needs_token',
      '  acl has_token var(txn.token) -m found',
      '  acl jwt_shaped var(txn.token) -m reg ^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$',
      refuse({
        status: 401,
        code: 'missing_credentials',
        message: [`this API needs credentials: send ${accepted.join(' or ')}`],
        when: 'needs_token !{ req.fhdr(authorization) -m found }',
        headers: challenges,
      }),
    );
    if (spec.security.basic) {
      add(
        '',
        `  # 7-basic. Basic credentials of the cluster's users: userlist ${BASIC_USERLIST}, in ${BASIC_USERS_CONFIG_FILE} beside this`,
        "  #     file (rendered from the cluster's Secret where the gateway runs). A Basic caller is a person or",
        '  #     system the cluster\'s admin trusts, not an application: no subscription, tier or throttling applies.',
        '  acl basic_sent http_auth_type -m str -i basic',
        refuse({
          status: 401,
          code: 'invalid_credentials',
          message: ['user name or password is not valid'],
          when: `needs_token basic_sent !{ http_auth(${BASIC_USERLIST}) }`,
          headers: [['WWW-Authenticate', `Basic ${realm}, charset="UTF-8"`]],
        }),
        '  http-request set-var(txn.client_id) http_auth_user if needs_token basic_sent',
        '  # Authenticated: nothing below that concerns tokens applies to this request.',
        '  http-request set-var(txn.access) str(basic) if needs_token basic_sent',
      );
    }
    if (spec.security.externalJwt) {
      const external = spec.security.externalJwt;
      const invalidExternal = (message: MessagePart[], when: string) => invalidToken(message, when);
      add(
        '',
        `  # 7-external. JWTs of the cluster's other issuer ${external.issuer} (the cluster's JWT resource), told`,
        '  #     apart by their iss claim before anything else: RS256 with its key, then aud, exp and nbf. Such a',
        "  #     caller is the other issuer's client, not an application of the portal: no subscription, tier or",
        '  #     throttling applies (the issuer decides who gets tokens for this audience).',
        "  http-request set-var(txn.ext_iss) var(txn.token),word(2,.),ub64dec,json_query('$.iss') if needs_token jwt_shaped",
        `  http-request set-var(txn.is_external) bool(1) if needs_token jwt_shaped { var(txn.ext_iss) -m str -- ${external.issuer} }`,
        '  acl is_external var(txn.is_external) -m bool',
        "  http-request set-var(txn.jwt_alg) var(txn.token),jwt_header_query('$.alg') if is_external",
        invalidExternal(['token algorithm "', sample('var(txn.jwt_alg)'), `" is not allowed for issuer ${external.issuer}; expected RS256`], 'is_external !{ var(txn.jwt_alg) -m str RS256 }'),
        `  http-request set-var(txn.jwt_valid) var(txn.token),jwt_verify("RS256","${EXTERNAL_JWT_KEY_FILE}") if is_external`,
        invalidExternal([`token signature is not valid for the key of issuer ${external.issuer}`], 'is_external !{ var(txn.jwt_valid) -m int 1 }'),
        '  http-request set-var(txn.claims) var(txn.token),word(2,.),ub64dec if is_external',
        "  http-request set-var(txn.exp) var(txn.claims),json_query('$.exp','int') if is_external",
        "  http-request set-var(txn.nbf) var(txn.claims),json_query('$.nbf','int') if is_external",
        "  http-request set-var(txn.aud) var(txn.claims),json_query('$.aud') if is_external",
        `  http-request set-var(txn.exp_left) var(txn.exp),add(${as.clockSkewSeconds}),sub(txn.now) if is_external`,
        `  http-request set-var(txn.nbf_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.nbf) if is_external { var(txn.nbf) -m found }`,
        invalidExternal(['token has no exp claim'], 'is_external !{ var(txn.exp) -m found }'),
        invalidExternal(['token expired at ', sample('var(txn.exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_external !{ var(txn.exp_left) -m int gt 0 }'),
        invalidExternal(['token is not valid before ', sample('var(txn.nbf),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_external { var(txn.nbf_past) -m found } !{ var(txn.nbf_past) -m int ge 0 }'),
        invalidExternal(['token audience "', sample('var(txn.aud)'), `" is not the expected "${external.audience}"`], `is_external !{ var(txn.aud) -m str -- ${external.audience} }`),
        "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.sub') if is_external",
        "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.client_id') if is_external { var(txn.claims),json_query('$.client_id') -m found }",
        '  # Verified: the portal\'s token rules below do not apply to this request.',
        '  http-request set-var(txn.access) str(external-jwt) if is_external',
        '  http-request unset-var(txn.token) if is_external',
      );
    }
    if (!portalTokens) {
      add(invalidToken([spec.security.externalJwt ? `this API accepts only tokens of issuer ${spec.security.externalJwt.issuer}${spec.security.basic ? ' or Basic credentials' : ''}` : 'this API accepts Basic credentials only'], 'needs_token'));
    } else {
      add(invalidToken(['credentials must be an access token sent as Authorization: Bearer <token>'], 'needs_token !has_token'));
    }
    if (portalTokens && !spec.security.opaqueTokens) add(invalidToken(['token is not a JWT access token of the portal'], 'needs_token !jwt_shaped'));
    if (portalTokens && !spec.security.jwt) add(invalidToken(['this API accepts opaque access tokens only'], 'needs_token jwt_shaped'));

    if (spec.security.jwt) {
      add(
        '',
        '  # 7a. JWT: header first (algorithm, type, key id), then the signature, then the claims.',
        '  #     A verified signature is remembered by the token\'s hash for 2 minutes (bounded table);',
        '  #     the claims are checked on every request whatever the cache says.',
        '  http-request set-var(txn.is_jwt) bool(1) if needs_token jwt_shaped',
        '  acl is_jwt var(txn.is_jwt) -m bool',
        "  http-request set-var(txn.jwt_alg) var(txn.token),jwt_header_query('$.alg') if is_jwt",
        "  http-request set-var(txn.jwt_typ) var(txn.token),jwt_header_query('$.typ') if is_jwt",
        "  http-request set-var(txn.jwt_kid) var(txn.token),jwt_header_query('$.kid') if is_jwt",
        invalidToken(['token is not a well-formed JWT'], 'is_jwt !{ var(txn.jwt_alg) -m found }'),
        invalidToken(['token algorithm "', sample('var(txn.jwt_alg)'), '" is not allowed; expected one of RS256'], 'is_jwt !{ var(txn.jwt_alg) -m str RS256 }'),
        invalidToken(
          ['token type "', sample('var(txn.jwt_typ)'), '" is not an access token; expected "at+jwt"'],
          `is_jwt { var(txn.jwt_typ) -m found } !{ var(txn.jwt_typ) -m str -i ${ACCESS_TOKEN_TYPES.join(' ')} }`,
        ),
        invalidToken(['token has no key id ("kid") matching a key of the issuer'], 'is_jwt !{ var(txn.jwt_kid) -m found }'),
        invalidToken(
          ['token key id "', sample('var(txn.jwt_kid)'), '" is not a key of the issuer'],
          // `--` ends the options: a kid is a JWK thumbprint in base64url and may start with "-".
          kids.length > 0 ? `is_jwt !{ var(txn.jwt_kid) -m str -- ${kids.join(' ')} }` : 'is_jwt',
        ),
        '  http-request set-var(txn.jwt_hash) var(txn.token),sha2(256) if is_jwt',
        '  acl jwt_seen var(txn.jwt_hash),in_table(verified_tokens)',
        ...as.keys.map(
          (key) =>
            `  http-request set-var(txn.jwt_valid) var(txn.token),jwt_verify("RS256","${keyFileName(key.kid)}") if is_jwt !jwt_seen { var(txn.jwt_kid) -m str -- ${key.kid} }`,
        ),
        '  http-request set-var(txn.jwt_valid) int(1) if is_jwt jwt_seen',
        invalidToken(['token signature is invalid'], 'is_jwt !{ var(txn.jwt_valid) -m int 1 }'),
        '  http-request track-sc0 var(txn.jwt_hash) table verified_tokens if is_jwt !jwt_seen',
        '  http-request set-var(txn.claims) var(txn.token),word(2,.),ub64dec if is_jwt',
        "  http-request set-var(txn.exp) var(txn.claims),json_query('$.exp','int') if is_jwt",
        "  http-request set-var(txn.nbf) var(txn.claims),json_query('$.nbf','int') if is_jwt",
        "  http-request set-var(txn.iat) var(txn.claims),json_query('$.iat','int') if is_jwt",
        "  http-request set-var(txn.iss) var(txn.claims),json_query('$.iss') if is_jwt",
        "  http-request set-var(txn.aud) var(txn.claims),json_query('$.aud') if is_jwt",
        "  http-request set-var(txn.jti) var(txn.claims),json_query('$.jti') if is_jwt",
        "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.client_id') if is_jwt",
        "  http-request set-var(txn.tenant) var(txn.claims),json_query('$.tenant') if is_jwt",
        "  http-request set-var(txn.app_id) var(txn.claims),json_query('$.application.id') if is_jwt",
        "  http-request set-var(txn.app_name) var(txn.claims),json_query('$.application.name') if is_jwt",
        '  # The portal puts subscriptions in a map keyed by API id: one lookup gives this API\'s tier.',
        `  http-request set-var(txn.tier) var(txn.claims),json_query('$.subscriptions.${api.id}') if is_jwt`,
        "  http-request set-var(txn.key_type) var(txn.claims),json_query('$.keytype') if is_jwt",
        invalidToken(["token claims do not follow the access-token contract of the portal (exp, iss, aud, tenant and application are required)"], 'is_jwt !{ var(txn.exp) -m found } || is_jwt !{ var(txn.iss) -m found } || is_jwt !{ var(txn.tenant) -m found } || is_jwt !{ var(txn.app_id) -m found }'),
      );
    }
    if (spec.security.opaqueTokens) {
      add(
        '',
        '  # 7b. Opaque tokens: RFC 7662 introspection at the portal, answers cached',
        `  #     ${as.introspectionCacheSeconds} s at most (privatejet.lua); it sets the same variables as a JWT.`,
        '  http-request set-var(txn.is_opaque) bool(1) if needs_token has_token !jwt_shaped',
        '  acl is_opaque var(txn.is_opaque) -m bool',
        '  http-request lua.privatejet_introspect if is_opaque',
      );
      const other = spec.security.externalIntrospection;
      if (!other) {
        add(
          refuse({
            status: 503,
            code: 'service_unavailable',
            message: ['the token introspection service is unavailable; try again'],
            when: 'is_opaque !{ var(txn.active) -m found }',
            headers: [['Retry-After', '1']],
          }),
          invalidToken(['token is not active (revoked, expired or unknown to the issuer)'], 'is_opaque !{ var(txn.active) -m int 1 }'),
        );
      } else {
        const unavailable = (when: string) =>
          refuse({ status: 503, code: 'service_unavailable', message: ['the token introspection service is unavailable; try again'], when, headers: [['Retry-After', '1']] });
        add(
          `  #     A token the portal does not know is asked about at the cluster's other server, ${other.introspectionUrl}`,
          "  #     (its OAuth2 resource; client credentials from the mounted Secret). Such a caller is that server's",
          '  #     client, not an application of the portal: no subscription, tier or throttling applies.',
          '  http-request lua.privatejet_introspect_external if is_opaque !{ var(txn.active) -m int 1 }',
          '  acl external_active var(txn.ext_active) -m int 1',
          unavailable('is_opaque !{ var(txn.active) -m found } !external_active'),
          unavailable('is_opaque { var(txn.active) -m int 0 } !{ var(txn.ext_active) -m found }'),
          invalidToken(['token is not active (revoked, expired or unknown to the issuer)'], 'is_opaque !{ var(txn.active) -m int 1 } !external_active'),
          `  http-request set-var(txn.ext_exp_left) var(txn.ext_exp),add(${as.clockSkewSeconds}),sub(txn.now) if is_opaque external_active { var(txn.ext_exp) -m found }`,
          invalidToken(['token expired at ', sample('var(txn.ext_exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_opaque external_active { var(txn.ext_exp_left) -m found } !{ var(txn.ext_exp_left) -m int gt 0 }'),
          ...(other.audience
            ? [invalidToken(['token audience "', sample('var(txn.ext_aud)'), `" is not the expected "${other.audience}"`], `is_opaque external_active !{ var(txn.ext_aud) -m str -- ${other.audience} }`)]
            : []),
          '  http-request set-var(txn.client_id) var(txn.ext_client_id) if is_opaque external_active',
          "  # Active at the other server: the portal's token rules below do not apply to this request.",
          '  http-request set-var(txn.access) str(external-oauth) if is_opaque external_active',
          '  http-request unset-var(txn.token) if is_opaque external_active',
        );
      }
    }

    add(
      '',
      `  # 8. Claims, whichever way the token was read. Times allow ${as.clockSkewSeconds} s of clock skew; the sums`,
      '  #    are compared with 0 (comparing with a negative constant is unreliable on HAProxy 2.6).',
      `  http-request set-var(txn.exp_left) var(txn.exp),add(${as.clockSkewSeconds}),sub(txn.now) if has_token`,
      `  http-request set-var(txn.nbf_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.nbf) if has_token { var(txn.nbf) -m found }`,
      `  http-request set-var(txn.iat_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.iat) if has_token { var(txn.iat) -m found }`,
      invalidToken(['token expired at ', sample('var(txn.exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'has_token !{ var(txn.exp_left) -m int gt 0 }'),
      invalidToken(['token is not valid before ', sample('var(txn.nbf),utime(%Y-%m-%dT%H:%M:%SZ)')], 'has_token { var(txn.nbf_past) -m found } !{ var(txn.nbf_past) -m int ge 0 }'),
      invalidToken(['token was issued in the future (', sample('var(txn.iat),utime(%Y-%m-%dT%H:%M:%SZ)'), ')'], 'has_token { var(txn.iat_past) -m found } !{ var(txn.iat_past) -m int ge 0 }'),
      invalidToken(
        ['token issuer "', sample('var(txn.iss)'), `" is not the expected "${as.issuers.join('" or "')}"`],
        `has_token !{ var(txn.iss) -m str ${as.issuers.join(' ')} }`,
      ),
      invalidToken(
        ['token audience "', sample('var(txn.aud)'), `" does not include the expected "${as.audience}"`],
        `${spec.security.jwt ? 'is_jwt' : 'FALSE'} !{ var(txn.aud) -m str ${as.audience} }`,
      ),
      invalidToken(['token was revoked'], `has_token { var(txn.jti),map(${REVOKED_TOKENS_MAP}) -m found }`),
      notSubscribed(
        ['token belongs to tenant "', sample('var(txn.tenant)'), `", but API "${api.name}" ${api.version} is in tenant "${api.tenant}"`],
        `has_token !{ var(txn.tenant) -m str ${api.tenant} }`,
      ),
      notSubscribed(
        [
          'application "',
          sample('var(txn.app_name)'),
          `" is not subscribed to API "${api.name}" ${api.version} (id ${api.id}); subscribe in the developer portal and get a new token`,
        ],
        'has_token !{ var(txn.tier) -m found }',
      ),
      '  # A blocked or removed subscription: tokens issued before that moment no longer grant this API.',
      `  http-request set-var(txn.revoked_since) var(txn.app_id),map_str_int(${REVOKED_APPLICATIONS_MAP},0) if has_token`,
      '  http-request set-var(txn.revoked_left) var(txn.revoked_since),sub(txn.iat) if has_token',
      notSubscribed(
        ['the subscription of application "', sample('var(txn.app_name)'), '" to this API was blocked or removed; get a new token once it is active again'],
        'has_token { var(txn.revoked_since) -m int gt 0 } { var(txn.revoked_left) -m int ge 0 }',
      ),
      notSubscribed(
        ['subscription tier "', sample('var(txn.tier)'), `" is not configured on this gateway; known tiers: ${Object.keys(spec.tiers).join(', ')}`],
        `has_token !{ var(txn.tier) -m str ${Object.keys(spec.tiers).join(' ')} }`,
        'tier_not_configured',
      ),
    );
    if (portalTokens) {
      add(
        '',
        '  # 8b. Key type, as in WSO2: tokens of sandbox keys (claim keytype SANDBOX) go to the sandbox endpoint,',
        '  #     all others (PRODUCTION, or no keytype: tokens issued before key types) to the production endpoint.',
        '  acl sandbox_token var(txn.key_type) -m str SANDBOX',
        `  #     Sandbox endpoint: ${hasSandbox ? spec.sandboxEndpoints.join(', ') : 'none'}. Production endpoint: ${hasProduction ? spec.endpoints.join(', ') : 'none'}.`,
        ...(hasSandbox
          ? []
          : [
              notSubscribed(
                [`API "${api.name}" ${api.version} has no sandbox endpoint, so tokens of sandbox keys cannot call it; use a token of the production keys of application "`, sample('var(txn.app_name)'), '"'],
                'has_token sandbox_token',
                'sandbox_endpoint_missing',
              ),
            ]),
        ...(hasProduction
          ? []
          : [
              notSubscribed(
                [`API "${api.name}" ${api.version} has only a sandbox endpoint, so tokens of production keys cannot call it; use a token of the sandbox keys of application "`, sample('var(txn.app_name)'), '"'],
                'has_token !sandbox_token',
                'production_endpoint_missing',
              ),
            ]),
      );
    }

    if (limitedTiers.length > 0) {
      add(
        '',
        `  # 9. Throttling per application and tier. Each of the ${spec.replicas} replica(s) enforces its share of the`,
        '  #    tier\'s rate; a refused request does not count against the next minute.',
        ...limitedTiers.flatMap(({ tier, limit }) => [
          `  acl tier_${tier} var(txn.tier) -m str ${tier}`,
          `  http-request track-sc1 var(txn.app_id) table tier_${tier} if has_token tier_${tier}`,
          `  http-request set-var(txn.rate_limit) int(${limit}) if has_token tier_${tier}`,
          `  http-request set-var(txn.retry_after) int(${Math.max(1, Math.ceil(60 / limit))}) if has_token tier_${tier}`,
        ]),
        '  acl throttled_tier var(txn.rate_limit) -m found',
        '  http-request set-var(txn.rate_used) sc_gpc0_rate(1) if throttled_tier',
        '  http-request set-var(txn.rate_left) var(txn.rate_limit),sub(txn.rate_used) if throttled_tier',
        refuse({
          status: 429,
          code: 'throttled',
          message: ['rate limit of tier "', sample('var(txn.tier)'), '" (', sample('var(txn.rate_limit)'), ' requests per minute per replica) reached; retry in ', sample('var(txn.retry_after)'), ' s'],
          when: 'throttled_tier !{ var(txn.rate_left) -m int gt 0 }',
          headers: [
            ['Retry-After', '%[var(txn.retry_after)]'],
            ['RateLimit-Limit', '%[var(txn.rate_limit)]'],
            ['RateLimit-Remaining', '0'],
            ['RateLimit-Reset', '60'],
          ],
        }),
        '  http-request sc-inc-gpc0(1) if throttled_tier',
        '  http-request set-var(txn.rate_left) var(txn.rate_left),sub(1) if throttled_tier',
        '  http-after-response set-header RateLimit-Limit %[var(txn.rate_limit)] if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
        '  http-after-response set-header RateLimit-Remaining %[var(txn.rate_left)] if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
        '  http-after-response set-header RateLimit-Reset 60 if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
      );
    }
  }

  // Tokens of sandbox keys are told apart in 8b; without a token a request goes where the API has endpoints.
  add('', ...(hasProduction && hasSandbox && portalTokens ? ['  use_backend api_sandbox if { var(txn.key_type) -m str SANDBOX }'] : []), `  default_backend ${hasProduction ? 'api' : 'api_sandbox'}`);
  if (hasProduction) add(...backendSection(spec, 'api', 'The production endpoint(s)', spec.endpoints));
  if (hasSandbox) add(...backendSection(spec, 'api_sandbox', 'The sandbox endpoint(s), for tokens of sandbox keys', spec.sandboxEndpoints));

  add('', '# Signatures already verified, by SHA-256 of the token (bounded, expiring).', 'backend verified_tokens', '  stick-table type binary len 32 size 100k expire 2m');
  for (const { tier } of limitedTiers) {
    add('', `# Requests per minute of each application on tier ${tier}.`, `backend tier_${tier}`, '  stick-table type string len 64 size 100k expire 2m store gpc0,gpc0_rate(1m)');
  }
  return `${out.join('\n')}\n`;
}

/** One kind of endpoint (production or sandbox) as a backend: round robin, the path rewritten to the endpoints' base path. */
function backendSection(spec: GatewaySpec, name: string, what: string, urls: readonly string[]): string[] {
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
