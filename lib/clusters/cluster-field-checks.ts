import { REPLICAS_LIMIT } from './cluster-definition';
import { describeValue } from './config-values';

/**
 * Checks of one value of a cluster entry (text, URL, DNS name, replica count, flag, certificate).
 * Each returns the normalized value or a sentence that says what to write instead, with an
 * example; the cluster schema decides which field gets which check and locates the message.
 */

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export type FieldResult<T> = { value: T } | { error: string };

/** `"<cluster-name>"`: a value copied from the documentation's Format template. */
function placeholderError(value: string, replaceWith: string): string | undefined {
  return /^<[^<>]*>$/.test(value.trim())
    ? `still holds the template placeholder "${value.trim()}": replace it with ${replaceWith}`
    : undefined;
}

function textOf(value: unknown, example: string): FieldResult<string> {
  if (typeof value !== 'string') return { error: `must be text in quotes, e.g. ${example}, not ${describeValue(value)}` };
  return { value: value.trim() };
}

export function requiredText(value: unknown, what: string, example: string): FieldResult<string> {
  if (value === undefined || value === null) return { error: `is required: ${what}, e.g. ${example}` };
  const text = textOf(value, example);
  if ('error' in text) return text;
  if (text.value === '') return { error: `is empty: ${what}, e.g. ${example}` };
  const placeholder = placeholderError(text.value, example);
  return placeholder ? { error: placeholder } : text;
}

export function optionalText(value: unknown, example: string): FieldResult<string | undefined> {
  if (value === undefined || value === null) return { value: undefined };
  const text = textOf(value, example);
  if ('error' in text) return text;
  if (text.value === '') return { value: undefined };
  const placeholder = placeholderError(text.value, example);
  return placeholder ? { error: placeholder } : text;
}

export function httpUrl(value: string, example: string): FieldResult<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `"${value}" is not a URL: write it with its scheme, e.g. ${example}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `"${value}" must start with https:// or http://, e.g. ${example}` };
  }
  return { value };
}

/**
 * A URL that is only scheme, host and port. Gateways serve /<context>/<version> at the root of
 * their AccessURL (the Ingress routes that path, the local ingress too), so a path there would
 * give the portal addresses nothing answers at.
 */
export function originUrl(value: string, example: string): FieldResult<string> {
  const checked = httpUrl(value, example);
  if ('error' in checked) return checked;
  const url = new URL(value);
  if (url.username || url.password) return { error: `must not contain a user name or password, e.g. ${example}` };
  if (url.pathname !== '/' || url.search || url.hash) {
    return {
      error: `must be only scheme, host and port, e.g. ${example}: gateways serve /<context>/<version> at its root, so "${url.pathname}${url.search}${url.hash}" would be part of no API's address`,
    };
  }
  return checked;
}

export function dnsName(value: string, pattern: RegExp, limit: number, what: string, example: string): FieldResult<string> {
  if (value.length > limit || !pattern.test(value)) {
    return {
      error: `"${value}" is not a valid ${what}: use at most ${limit} lowercase letters, digits and "-"${pattern === DNS_SUBDOMAIN ? ' or "."' : ''}, starting and ending with a letter or digit, e.g. ${example}`,
    };
  }
  return { value };
}

/** Replicas and MaxReplicas: the seed writes both `1` and `"<number>"`. */
export function replicaCount(value: unknown, example: string): FieldResult<number> {
  let count: number;
  if (typeof value === 'number') {
    count = value;
  } else if (typeof value === 'string') {
    const placeholder = placeholderError(value, example);
    if (placeholder) return { error: placeholder };
    if (!/^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return { error: `"${value}" is not a number: write a whole number, e.g. ${example}` };
    count = Number(value);
  } else {
    return { error: `must be a whole number, e.g. ${example}, not ${describeValue(value)}` };
  }
  if (!Number.isInteger(count)) return { error: `${String(value).trim()} is not a whole number: write e.g. ${example}` };
  if (count < 1) return { error: `must be at least 1, not ${count}` };
  if (count > REPLICAS_LIMIT) return { error: `${count} is more than ${REPLICAS_LIMIT}: write a number from 1 to ${REPLICAS_LIMIT}` };
  return { value: count };
}

export function booleanFlag(value: unknown): FieldResult<boolean> {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { value: value.trim().toLowerCase() === 'true' };
  return { error: `must be true or false, not ${describeValue(value)}` };
}

/** True when `text` is a PEM certificate or the base64 encoding of one. */
export function isPemOrBase64Pem(text: string): boolean {
  if (PEM_CERTIFICATE.test(text)) return true;
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return false;
  try {
    return PEM_CERTIFICATE.test(atob(compact));
  } catch {
    return false;
  }
}

