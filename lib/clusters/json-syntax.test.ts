import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonWithLocation } from './json-syntax';

describe('parseJsonWithLocation', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJsonWithLocation('{"a": [1, "x", null]}')).toEqual({ ok: true, value: { a: [1, 'x', null] } });
  });

  it.each([
    ['{"a": 1,}', 1, 9, 'a trailing comma before "}" is not allowed in JSON'],
    ['{\n  "a" 1\n}', 2, 7, 'expected ":" after the property name but found "1"'],
    ['[1,\n2', 2, 2, 'expected "," or "]" after a list element but found the end of the text'],
    ["{'a': 1}", 1, 2, 'expected a property name in "double quotes" but found "\'"'],
    ['{"a": tru}', 1, 7, 'expected a value (text in "double quotes", a number, true, false, null, {…} or […]) but found "t"'],
    ['{"a": "line\nbreak"}', 1, 12, 'a line break inside text in quotes: close the quotes or write "\\n"'],
    ['', 1, 1, 'expected a value (text in "double quotes", a number, true, false, null, {…} or […]) but found the end of the text'],
  ])('locates the error in %j', (text, line, column, message) => {
    expect(parseJsonWithLocation(text)).toMatchObject({ ok: false, error: { line, column, message } });
  });

  it('agrees with JSON.parse and always points inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.json().map((json) => json.slice(0, Math.max(0, json.length - 1)))), (text) => {
        const result = parseJsonWithLocation(text);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(result.ok).toBe(valid);
        if (!result.ok) {
          expect(result.error.offset).toBeGreaterThanOrEqual(0);
          expect(result.error.offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('survives very deep nesting', () => {
    expect(parseJsonWithLocation('['.repeat(100_000)).ok).toBe(false);
  });
});
