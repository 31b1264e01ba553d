import { stringify as stringifyYaml } from 'yaml';
import { AppError, httpStatusOf, isUserVisible, logUnexpected } from '../errors';

/**
 * The answer of a JSON route handler that failed: the sentence and field errors of an expected
 * error, with its status; for anything else a reference to the log line, never internals.
 */
export function errorResponse(error: unknown, context: string): Response {
  if (isUserVisible(error)) return Response.json({ error: error.message, fieldErrors: error.fieldErrors, problems: error.problems }, { status: httpStatusOf[error.kind], headers: { 'Cache-Control': 'no-store' } });
  const reference = logUnexpected(error, context);
  return Response.json({ error: `Something went wrong on our side (reference ${reference}). Please try again.` }, { status: 500, headers: { 'Cache-Control': 'no-store' } });
}

/**
 * Refuses a state-changing request that a browser sent from another site. Session cookies are
 * SameSite=Lax, which already keeps them off cross-site POSTs; this is the second lock, as
 * Next.js gives server actions: the Origin a browser sends must be the host it sent the request to.
 */
export function refuseCrossSiteRequest(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin) return;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (!host || originHost !== host.split(',')[0]!.trim()) throw new AppError('forbidden', 'This request came from another site.');
}

/** A stored definition as a response: read-only JSON to view in the browser, or a file to download. */
export function definitionTextResponse(text: string, options: { download?: string; format?: 'json' | 'yaml' } = {}): Response {
  const yaml = options.format === 'yaml';
  const headers: Record<string, string> = { 'Content-Type': yaml ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store' };
  if (options.download) headers['Content-Disposition'] = `attachment; filename="${options.download.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
  // YAML only on request (a download): the stored text is JSON, and converting costs a parse.
  return new Response(yaml ? stringifyYaml(JSON.parse(text), { lineWidth: 0, aliasDuplicateObjects: false }) : text, { headers });
}
