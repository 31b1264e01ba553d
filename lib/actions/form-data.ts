import type { z } from 'zod';
import type { FieldErrors } from '../errors';

/** Form fields as an object; a name sent more than once (checkbox groups) becomes an array. */
export function formDataToObject(formData: FormData): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION') || typeof value !== 'string') continue;
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of error.issues) {
    // A list field (endpoints, tiers) is one input: its items' errors belong to it.
    const named = issue.path.filter((segment) => typeof segment !== 'number');
    const key = named.length > 0 ? named.join('.') : '_form';
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
}

export const secretFieldName = /password|secret|token/i;

export function echoableValues(fields: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !secretFieldName.test(key)));
}

