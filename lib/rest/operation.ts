import { z } from 'zod';
import { isPrivilegeRefusal, recordRefusal } from '../audit/audit.service';
import type { Actor } from '../actor';
import { clientAddressOfCurrentRequest } from '../http/client-address';
import { readBoundedText, ROUTE_BODY_LIMIT_BYTES } from '../http/bounded-body';
import { authenticatePersonalToken, type AuthenticatedToken } from '../personal-tokens/personal-tokens.service';
import type { Scope } from '../personal-tokens/scopes';
import { bearerChallenge, problemFromError, RestProblem, zodProblemErrors, type ProblemKind } from './problem';

/**
 * One REST operation, declared once: the route handler validates requests with these schemas
 * and the OpenAPI document (openapi-document.ts) is generated from the same declarations, so
 * the two cannot drift. Route files under app/api/v1 only bind operations to HTTP methods.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  headers?: Record<string, string>;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface OperationContext<P, Q, B> {
  request: Request;
  /** Null only for public operations. */
  actor: Actor;
  scopes: readonly Scope[];
  /** The personal access token used (null only for public operations). */
  token: AuthenticatedToken['token'] | null;
  params: P;
  query: Q;
  body: B;
  /** The revision named by If-Match (ETag "r<n>"), or undefined when the header is absent. */
  ifMatch(): number | undefined;
  /** Like ifMatch, but a missing header is refused with 428: writes that replace need it. */
  requireIfMatch(what: string): number;
  /** If-None-Match: * (create only). */
  ifNoneMatchAny(): boolean;
  hasScope(scope: Scope): boolean;
}

export interface RestResult {
  status?: number;
  body?: unknown;
  /** Sent as is with `contentType` instead of JSON. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Operation<P extends AnyObject | undefined = AnyObject | undefined, Q extends AnyObject | undefined = AnyObject | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template under /api/v1, e.g. /apis/{apiId}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The scope a token needs; 'any' takes any valid token; 'public' needs none. */
  scope: Scope | 'any' | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Body cap for this operation (default: the app's 64 KiB route cap). */
  bodyLimitBytes?: number;
  /** Domain field names → JSON Pointers in this body, for field errors the domain raises. */
  fieldPointers?: Record<string, string>;
  responses: Record<number, ResponseSpec>;
  /** Error statuses beyond the ones every operation of its kind can answer (401, 403, 400…). */
  errors?: number[];
  handle(context: OperationContext<Out<P>, Out<Q>, Out<B>>): Promise<RestResult>;
}

export function defineOperation<P extends AnyObject | undefined = undefined, Q extends AnyObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  operation: Operation<P, Q, B>,
): Operation<P, Q, B> {
  return operation;
}

export const API_PREFIX = '/api/v1';

/** ETags are the API's revision; one format so If-Match can be read back. */
export const etagOf = (revision: number) => `"r${revision}"`;

function parseEntityTag(value: string, header: string): number {
  const match = /^"r(\d{1,9})"$/.exec(value.trim());
  if (!match) {
    throw new RestProblem('validation', `${header} must be one ETag this API gave, such as "r3", or *.`, [{ header, detail: `Not an ETag of this API: ${value.slice(0, 40)}` }]);
  }
  return Number(match[1]);
}

const methods = ['get', 'post', 'put', 'delete'] as const;

/** Bodies are JSON objects; anything else is refused before it is parsed. */
async function readJsonBody(request: Request, limitBytes: number): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new RestProblem('unsupported_media_type', `Send the body as JSON with Content-Type: application/json (got ${type || 'none'}).`, [{ header: 'Content-Type', detail: 'Use application/json.' }]);
  }
  const text = await readBoundedText(request, limitBytes);
  if (!text.trim()) throw new RestProblem('validation', 'The request needs a JSON body.', [{ pointer: '', detail: 'The body is empty.' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RestProblem('validation', `The body is not valid JSON: ${(error as Error).message}`, [{ pointer: '', detail: 'Not valid JSON.' }]);
  }
}

function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new RestProblem('unauthenticated', 'Send the personal access token as Authorization: Bearer <token>.', [{ header: 'Authorization', detail: 'Not a bearer token.' }], {
      'WWW-Authenticate': bearerChallenge('invalid_request', 'Use the Bearer scheme'),
    });
  }
  return match[1]!;
}

async function authenticate(request: Request): Promise<AuthenticatedToken> {
  const bearer = bearerOf(request);
  if (!bearer) {
    throw new RestProblem('unauthenticated', 'This needs a personal access token: create one under Personal access tokens in the portal, and send it as Authorization: Bearer <token>.', undefined, {
      'WWW-Authenticate': bearerChallenge(),
    });
  }
  return authenticatePersonalToken(bearer, { clientAddress: clientAddressOfCurrentRequest(request.headers) });
}

/** A known token without the operation's scope is refused (after authentication, so the refusal is attributable). */
function requireScope(authenticated: AuthenticatedToken, operation: Operation): void {
  if (operation.scope !== 'any' && operation.scope !== 'public' && !authenticated.scopes.includes(operation.scope)) {
    throw new RestProblem(
      'insufficient_scope',
      `The token "${authenticated.token.name}" lacks the ${operation.scope} scope${authenticated.scopes.length > 0 ? ` (it has ${authenticated.scopes.join(', ')})` : ''}, or your roles no longer allow it.`,
      undefined,
      { 'WWW-Authenticate': bearerChallenge('insufficient_scope', `Needs ${operation.scope}`, operation.scope) },
      { requiredScope: operation.scope },
    );
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, location: 'body' | 'query' | 'path'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const kind: ProblemKind = location === 'path' ? 'not_found' : 'validation';
  const message = location === 'path' ? 'Nothing is at that address.' : location === 'query' ? 'A query parameter is not valid.' : 'The body is not valid.';
  throw new RestProblem(kind, message, zodProblemErrors(parsed.error, location));
}

function responseOf(result: RestResult): Response {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...result.headers };
  if (result.text !== undefined) return new Response(result.text, { status: result.status ?? 200, headers: { 'Content-Type': result.contentType ?? 'text/plain; charset=utf-8', ...headers } });
  if (result.body === undefined) return new Response(null, { status: result.status ?? 204, headers });
  return new Response(JSON.stringify(result.body), { status: result.status ?? 200, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Writes, and who made them with which token, go to the log: every use of a token is attributable. */
function logWrite(request: Request, response: Response, who: AuthenticatedToken | null): void {
  if (request.method === 'GET' || !who) return;
  const { actor, token } = who;
  const from = clientAddressOfCurrentRequest(request.headers);
  console.info(`[api/v1] ${request.method} ${new URL(request.url).pathname} → ${response.status} by ${actor.username}@${actor.tenantDomain} with token "${token.name}" (${token.id})${from ? ` from ${from}` : ''}`);
}

export type RouteHandler = ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & { operation: Operation };

/** The Next.js route handler of one operation. */
export function routeHandler(operation: Operation<AnyObject | undefined, AnyObject | undefined, z.ZodType | undefined>): RouteHandler {
  const handler = async (request: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    const instance = new URL(request.url).pathname;
    let who: AuthenticatedToken | null = null;
    let response: Response;
    try {
      if (operation.scope !== 'public') {
        who = await authenticate(request);
        requireScope(who, operation);
      }
      const rawParams = (await context.params) ?? {};
      const params = operation.params ? parseWith(operation.params, rawParams, 'path') : undefined;
      const query = operation.query ? parseWith(operation.query, Object.fromEntries(new URL(request.url).searchParams), 'query') : undefined;
      const body = operation.body ? parseWith(operation.body, await readJsonBody(request, operation.bodyLimitBytes ?? ROUTE_BODY_LIMIT_BYTES), 'body') : undefined;
      const ifMatch = () => {
        const value = request.headers.get('if-match');
        if (value === null || value.trim() === '*') return undefined;
        return parseEntityTag(value, 'If-Match');
      };
      const result = await operation.handle({
        request,
        actor: who?.actor as Actor,
        scopes: who?.scopes ?? [],
        token: who?.token ?? null,
        params: params as never,
        query: query as never,
        body: body as never,
        ifMatch,
        requireIfMatch(what) {
          if (request.headers.get('if-match') === null) {
            throw new RestProblem('precondition_required', `Send If-Match with the ETag of ${what} as you read it, so a change made meanwhile is not overwritten.`, [
              { header: 'If-Match', detail: 'Required for this write.' },
            ]);
          }
          const revision = ifMatch();
          if (revision === undefined) throw new RestProblem('precondition_required', `If-Match: * does not protect ${what}; send its ETag.`, [{ header: 'If-Match', detail: 'Give the ETag.' }]);
          return revision;
        },
        ifNoneMatchAny: () => request.headers.get('if-none-match')?.trim() === '*',
        hasScope: (scope) => who?.scopes.includes(scope) ?? false,
      });
      response = responseOf(result);
    } catch (error) {
      response = problemFromError(error, instance, operation.fieldPointers);
      // A write refused for want of a role, scope or tenant is itself worth an audit record.
      if (who && request.method !== 'GET' && (isPrivilegeRefusal(error) || (error instanceof RestProblem && error.kind === 'insufficient_scope'))) {
        const objectId = Object.values((await context.params) ?? {}).flat().join('/') || null;
        await recordRefusal(who.actor, { action: operation.operationId, objectType: operation.tag.toLowerCase(), objectId }, (error as Error).message);
      }
    }
    logWrite(request, response, who);
    return response;
  };
  return Object.assign(handler, { operation: operation as Operation });
}

export { methods as HTTP_METHODS_OF_OPERATIONS };
