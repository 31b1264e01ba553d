import { z } from 'zod';
import { AppError, httpStatusOf, isUserVisible, logUnexpected, type AppErrorKind, type FieldErrors } from '../errors';

/**
 * RFC 9457 problem details: every error of the REST API is one of these, with
 * `Content-Type: application/problem+json`. `errors` points at what was wrong: a JSON Pointer
 * (RFC 6901) into the request body, or the name of a query parameter, path parameter or header.
 */

export interface ProblemFieldError {
  pointer?: string;
  parameter?: string;
  header?: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

const titles: Record<AppErrorKind | 'unsupported_media_type' | 'precondition_required' | 'insufficient_scope' | 'method_not_allowed', string> = {
  validation: 'The request is not valid',
  unauthenticated: 'Authentication is required',
  forbidden: 'Not allowed',
  insufficient_scope: 'The token lacks a scope this needs',
  not_found: 'Not found',
  conflict: 'Conflict with the current state',
  precondition_failed: 'The resource changed (If-Match does not match)',
  precondition_required: 'If-Match is required',
  rate_limited: 'Too many requests',
  too_large: 'The request body is too large',
  unavailable: 'Temporarily unavailable',
  unsupported_media_type: 'Send JSON',
  method_not_allowed: 'Method not allowed',
  internal: 'Internal error',
};
export type ProblemKind = keyof typeof titles;

const statusOf: Record<ProblemKind, number> = { ...httpStatusOf, unsupported_media_type: 415, precondition_required: 428, insufficient_scope: 403, method_not_allowed: 405 };

/** Problem types are URNs: stable identifiers that need no host. */
export const problemType = (kind: ProblemKind) => `urn:privatejet:problem:${kind.replace(/_/g, '-')}`;

/** A JSON Pointer (RFC 6901) for a path such as ["cors", "allowedOrigins", 0]. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** An error the REST layer raises itself (media type, If-Match, scopes), beside the domain's AppError. */
export class RestProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RestProblem';
  }
}

export type Location = 'body' | 'query' | 'path';

/** zod issues as problem errors; unknown keys become one error each, pointing at the key. */
export function zodProblemErrors(error: z.ZodError, location: Location): ProblemFieldError[] {
  return error.issues.flatMap((issue): ProblemFieldError[] => {
    const at = (path: readonly PropertyKey[], detail: string): ProblemFieldError =>
      location === 'body' ? { pointer: jsonPointer(path), detail } : { parameter: String(path[0] ?? ''), detail };
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => at([...issue.path, key], `"${key}" is not a known field.`));
    return [at(issue.path, issue.message)];
  });
}

/**
 * The domain's field errors (keyed by form field names) as problem errors. `pointers` maps a
 * field name to where it lives in this operation's body; others are taken as top-level fields.
 */
export function fieldProblemErrors(fieldErrors: FieldErrors | undefined, pointers: Record<string, string> = {}): ProblemFieldError[] | undefined {
  if (!fieldErrors) return undefined;
  return Object.entries(fieldErrors).flatMap(([field, messages]) =>
    messages.map((detail) => (field === '_form' ? { detail } : { pointer: pointers[field] ?? jsonPointer(field.split('.')), detail })),
  );
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers },
  });
}

export function makeProblem(kind: ProblemKind, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(kind), title: titles[kind], status: statusOf[kind], detail, ...extra };
}

/** Any error as a problem response: user-visible ones say what happened, others only a reference. */
export function problemFromError(error: unknown, instance: string, pointers?: Record<string, string>): Response {
  if (error instanceof RestProblem) {
    return problemResponse(makeProblem(error.kind, error.message, { instance, ...(error.errors ? { errors: error.errors } : {}), ...error.extensions }), error.headers);
  }
  if (isUserVisible(error)) {
    const errors = fieldProblemErrors(error.fieldErrors, pointers);
    const applied = (error as AppError & { applied?: unknown }).applied;
    const headers: Record<string, string> = error.kind === 'unauthenticated' ? { 'WWW-Authenticate': bearerChallenge('invalid_token', error.message) } : {};
    return problemResponse(makeProblem(error.kind, error.message, { instance, ...(errors ? { errors } : {}), ...(applied ? { appliedChanges: applied } : {}) }), headers);
  }
  const reference = logUnexpected(error, `REST ${instance}`);
  return problemResponse(makeProblem('internal', `Something went wrong on our side (reference ${reference}).`, { instance, reference }));
}

/** RFC 6750 §3: the challenge of a refused bearer token. */
export function bearerChallenge(error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description?: string, scope?: string): string {
  const parts = ['realm="privatejet"'];
  if (error) parts.push(`error="${error}"`);
  // A quoted-string may not hold a double quote or a backslash unescaped; keep the message readable.
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
  if (scope) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** The problem document's schema, for the OpenAPI document. */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A URN naming the kind of problem, e.g. urn:privatejet:problem:validation.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string().meta({ description: 'What happened, in a sentence a person can act on.' }),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string().optional().meta({ description: 'A JSON Pointer into the request body.' }),
          parameter: z.string().optional().meta({ description: 'A query or path parameter.' }),
          header: z.string().optional(),
          detail: z.string(),
        }),
      )
      .optional(),
    requiredScope: z.string().optional().meta({ description: 'insufficient-scope: the scope the token needs.' }),
    appliedChanges: z.array(z.object({ field: z.string(), summary: z.string() })).optional().meta({ description: 'An apply that failed part way: what it had changed before.' }),
    reference: z.string().optional().meta({ description: 'internal: quote it to the operators; the details are in their log.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
