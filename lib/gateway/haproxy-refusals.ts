/**
 * The one shape of every refusal the gateway answers itself: a JSON error
 * `{"error":{"code","message"}}` whose message may quote request values, JSON-escaped.
 */

/** A piece of a message: literal text, or a sample expression whose value is JSON-escaped. */
export type MessagePart = string | { sample: string };
export const sample = (expression: string): MessagePart => ({ sample: expression });

/** JSON string content for a log-format string in single quotes: no quote may end it early. */
function jsonLiteral(text: string): string {
  if (text.includes("'")) throw new Error(`generated text must not contain a single quote: ${text}`);
  return JSON.stringify(text).slice(1, -1).replace(/%/g, '%%');
}

function messageFormat(parts: MessagePart[]): string {
  return parts.map((part) => (typeof part === 'string' ? jsonLiteral(part) : `%[${part.sample},json(utf8s)]`)).join('');
}

export function errorBody(code: string, message: MessagePart[]): string {
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
export function refuse({ status, code, message, when, headers = [] }: Refusal): string {
  const extra = headers.map(([name, value]) => ` hdr ${name} '${value}'`).join('');
  return `  http-request return status ${status} content-type application/json lf-string '${errorBody(code, message)}'${extra} if ${when}`;
}
