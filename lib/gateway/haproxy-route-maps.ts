import { apiBasePath, type GatewaySpec } from './gateway-spec';
import { compareTemplates, templateRegex } from './openapi-routes';

/**
 * The gateway's routing tables, read by haproxy.cfg with map_reg: operations.map decides whether
 * an operation exists and needs credentials, paths.map answers 405 and CORS preflights.
 */

/** The routes in match order (see compareTemplates), so the first match is OpenAPI's. */
function sortedRoutes(spec: GatewaySpec) {
  return [...spec.routes].sort((a, b) => compareTemplates(a.template, b.template));
}

/** "METHOD/path" regex → "token" or "public": one lookup decides routing and whether credentials are needed. */
export function operationsMap(spec: GatewaySpec): string {
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
export function pathsMap(spec: GatewaySpec): string {
  const base = apiBasePath(spec.api);
  const lines = [`# Paths of ${base}: regular expression -> the methods allowed there (405 Allow, CORS preflight).`];
  for (const route of sortedRoutes(spec)) {
    const methods = route.operations.map((operation) => operation.method);
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    lines.push(`^${templateRegex(base, route.template)}$ ${methods.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}
