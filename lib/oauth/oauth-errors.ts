import { AppError, logUnexpected, type AppErrorKind } from '../errors';

/** RFC 6749 §5.2 (and RFC 8707 §2) error codes the token, introspection and revocation endpoints answer with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target';

const appErrorKindOf: Record<OAuthErrorCode, AppErrorKind> = {
  invalid_request: 'validation',
  invalid_client: 'unauthenticated',
  invalid_grant: 'validation',
  unauthorized_client: 'forbidden',
  unsupported_grant_type: 'validation',
  invalid_scope: 'validation',
  invalid_target: 'validation',
};

/**
 * An AppError that also names its RFC 6749 error code: OAuth clients act on the code
 * (`invalid_client` vs `invalid_scope`), which the generic kinds cannot tell apart.
 */
export class OAuthError extends AppError {
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
  ) {
    super(appErrorKindOf[code], description);
    this.name = 'OAuthError';
  }
}

export const CLIENT_AUTH_REALM = 'privatejet';

/** Token responses carry credentials: no cache may keep them (RFC 6749 §5.1). */
export const noStoreHeaders = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function oauthJsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...noStoreHeaders, ...headers } });
}

export function oauthErrorResponse(error: OAuthError): Response {
  const body = { error: error.code, error_description: error.message };
  if (error.code === 'invalid_client') {
    // 401 must name a scheme (RFC 7235), and RFC 6749 requires Basic's when the client used it.
    return oauthJsonResponse(body, 401, { 'WWW-Authenticate': `Basic realm="${CLIENT_AUTH_REALM}"` });
  }
  return oauthJsonResponse(body, 400);
}

/**
 * Runs an OAuth endpoint: protocol errors become RFC 6749 §5.2 bodies; anything unexpected is
 * logged and answered with a reference, never with internals.
 */
export async function respondWithOAuthErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof OAuthError) return oauthErrorResponse(error);
    if (error instanceof AppError && error.kind === 'too_large') {
      return oauthJsonResponse({ error: 'invalid_request', error_description: error.message }, 413);
    }
    if (error instanceof AppError && error.kind === 'unavailable') {
      return oauthJsonResponse({ error: 'temporarily_unavailable', error_description: error.message }, 503);
    }
    const reference = logUnexpected(error, 'OAuth endpoint');
    return oauthJsonResponse({ error: 'server_error', error_description: `Unexpected error (reference ${reference}).` }, 500);
  }
}
