import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { echoableValues, formDataToObject, zodFieldErrors } from './form-data';

describe('form data', () => {
  it('turns repeated names into arrays and drops framework fields', () => {
    const form = new FormData();
    form.append('username', 'alice');
    form.append('roles', 'admin');
    form.append('roles', 'publisher');
    form.append('$ACTION_ID_abc', '');
    expect(formDataToObject(form)).toEqual({ username: 'alice', roles: ['admin', 'publisher'] });
  });

  it('names each invalid field by its path', () => {
    const schema = z.object({ username: z.string().min(3, 'Too short.'), nested: z.object({ port: z.number() }) });
    const result = schema.safeParse({ username: 'a', nested: { port: 'x' } });
    expect(result.success).toBe(false);
    const errors = zodFieldErrors(result.error!);
    expect(errors.username).toEqual(['Too short.']);
    expect(Object.keys(errors)).toContain('nested.port');
  });

  it('files errors of list items under the list field', () => {
    const result = z.object({ urls: z.array(z.url({ error: 'Bad URL.' })) }).safeParse({ urls: ['https://ok.example', 'nope'] });
    expect(zodFieldErrors(result.error!)).toEqual({ urls: ['Bad URL.'] });
  });

  it('never echoes passwords, secrets or tokens back to the browser', () => {
    expect(echoableValues({ username: 'a', password: 'p', confirmPassword: 'p', SAToken: 't', clientSecret: 's' })).toEqual({ username: 'a' });
  });
});
