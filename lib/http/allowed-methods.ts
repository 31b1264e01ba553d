/** The methods a Next.js route handler module may export (Next's own list, `HTTP_METHODS`). */
export const ROUTE_HANDLER_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type RouteHandlerMethod = (typeof ROUTE_HANDLER_METHODS)[number];

type ImplementedMethod = Exclude<RouteHandlerMethod, 'HEAD' | 'OPTIONS'>;
/** Next.js answers HEAD with the GET handler when a module exports GET but not HEAD. */
type AnsweredBy<M extends ImplementedMethod> = M | ('GET' extends M ? 'HEAD' : never);
export type OtherMethodHandlers<M extends ImplementedMethod> = { [K in Exclude<RouteHandlerMethod, AnsweredBy<M>>]: () => Response };

/**
 * The exports a route handler module needs for the methods it does not implement. Next.js answers
 * those with a 405 without `Allow`, which RFC 9110 §15.5.6 requires, and its automatic OPTIONS
 * would count these handlers as implemented; so every other method gets a 405 naming the allowed
 * ones, and OPTIONS a 204 with the same `Allow`. In a route module:
 *
 *   export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = otherMethods('POST');
 */
export function otherMethods<const M extends ImplementedMethod>(...implemented: M[]): OtherMethodHandlers<M> {
  const answered = new Set<RouteHandlerMethod>(implemented);
  if (answered.has('GET')) answered.add('HEAD');
  const allow = [...answered, 'OPTIONS'].sort().join(', ');
  const handlers: Partial<Record<RouteHandlerMethod, () => Response>> = {};
  for (const method of ROUTE_HANDLER_METHODS) {
    if (answered.has(method)) continue;
    handlers[method] =
      method === 'OPTIONS'
        ? () => new Response(null, { status: 204, headers: { Allow: allow } })
        : () =>
            Response.json(
              { error: 'method_not_allowed', error_description: `This endpoint answers ${allow}, not ${method}.` },
              { status: 405, headers: { Allow: allow } },
            );
  }
  return handlers as OtherMethodHandlers<M>;
}
