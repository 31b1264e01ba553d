import { AppError } from '../errors';

/**
 * Route handlers read request bodies through here, never with `request.text()`: a body is
 * read only up to a cap, so a client cannot make the app buffer hundreds of megabytes.
 */

/** Enough for any OAuth form or sign-in form this app accepts, by two orders of magnitude. */
export const ROUTE_BODY_LIMIT_BYTES = 64 * 1024;

export function bodyTooLarge(limitBytes: number): AppError {
  return new AppError('too_large', `The request body is larger than ${Math.round(limitBytes / 1024)} KiB.`);
}

/** Reads the body as UTF-8 text, refusing (413) as soon as it passes `limitBytes`. */
export async function readBoundedText(request: Pick<Request, 'headers' | 'body'>, limitBytes = ROUTE_BODY_LIMIT_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limitBytes) throw bodyTooLarge(limitBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    received += value.byteLength;
    if (received > limitBytes) {
      // Stop pulling: the rest of a chunked body is never read into memory.
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limitBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * The same request with its body read under the cap, for handlers that read the body
 * themselves (next-auth's): they get a copy that can no longer be larger than the cap.
 */
export async function withBoundedBody(request: Request, limitBytes = ROUTE_BODY_LIMIT_BYTES): Promise<Request> {
  if (request.method === 'GET' || request.method === 'HEAD') return request;
  const body = await readBoundedText(request, limitBytes);
  return new Request(request, { body });
}

/** The plain-text answer a route gives when a body was too large. */
export function tooLargeResponse(error: AppError): Response {
  return Response.json({ error: 'request_too_large', error_description: error.message }, { status: 413 });
}
