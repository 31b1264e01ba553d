/**
 * The one error type of the domain layer. `kind` decides what a user may see:
 * expected kinds carry a sentence meant for the user; `internal` errors are logged
 * with a reference and shown only as a short generic message.
 */
export type AppErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** A write named a version (If-Match, an ETag) that is no longer current. */
  | 'precondition_failed'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable'
  | 'internal';

export type FieldErrors = Record<string, string[]>;

/** Where in a submitted document (an API definition) something is wrong, 1-based, for an editor to mark. */
export interface DocumentProblem {
  line: number;
  column?: number;
  message: string;
}

export class AppError extends Error {
  /** Set when the error is about places in a document the caller sent; JSON answers carry them. */
  readonly problems?: DocumentProblem[];

  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly fieldErrors?: FieldErrors,
    options?: { cause?: unknown; problems?: DocumentProblem[] },
  ) {
    super(message, options);
    this.name = 'AppError';
    if (options?.problems?.length) this.problems = options.problems;
  }
}

const userVisibleKinds: ReadonlySet<AppErrorKind> = new Set([
  'validation',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'rate_limited',
  'too_large',
  'unavailable',
]);

export function isUserVisible(error: unknown): error is AppError {
  return error instanceof AppError && userVisibleKinds.has(error.kind);
}

export const httpStatusOf: Record<AppErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rate_limited: 429,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};

export const forbidden = (message = 'You do not have permission to do that.') =>
  new AppError('forbidden', message);
export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const conflict = (message: string, fieldErrors?: FieldErrors) =>
  new AppError('conflict', message, fieldErrors);
export const staleRevision = (what: string) =>
  new AppError('precondition_failed', `${what} changed since you read it (its ETag no longer matches If-Match): read it again, then retry.`);
export const invalid = (message: string, fieldErrors?: FieldErrors) =>
  new AppError('validation', message, fieldErrors);

/** Logs an unexpected error once, returning a short reference a user can quote. */
export function logUnexpected(error: unknown, context: string): string {
  const reference = Math.random().toString(36).slice(2, 10);
  console.error(`[${reference}] ${context}:`, error);
  return reference;
}

/** Turns any start-up failure into the one line an operator needs, without a stack trace. */
export function startupFailureLine(step: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `PrivateJet cannot start: ${step} failed: ${message.split('\n')[0]}`;
}
