import { readBoundedText } from '../http/bounded-body';
import { OAuthError } from './oauth-errors';

/** The parameters of an OAuth request body; a parameter sent empty counts as absent (RFC 6749 §3.1). */
export type OAuthForm = ReadonlyMap<string, string>;

/**
 * Reads an `application/x-www-form-urlencoded` body, the only encoding RFC 6749, 7009 and
 * 7662 define, refusing repeated parameters (RFC 6749 §3.2) except those named `repeatable`
 * (their first value is kept), so their own check can answer with its own error.
 */
export async function readOAuthForm(request: Request, options: { repeatable?: readonly string[] } = {}): Promise<OAuthForm> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) {
    throw new OAuthError('invalid_request', 'Send the parameters as an application/x-www-form-urlencoded body.');
  }
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(await readBoundedText(request))) {
    if (form.has(name)) {
      if (options.repeatable?.includes(name)) continue;
      throw new OAuthError('invalid_request', `The parameter "${name}" appears more than once.`);
    }
    form.set(name, value);
  }
  for (const [name, value] of form) if (value === '') form.delete(name);
  return form;
}

export function requiredParameter(form: OAuthForm, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw new OAuthError('invalid_request', `The parameter "${name}" is missing.`);
  return value;
}
