import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { createPathLocator, jsonErrorPosition, pathAtPrettyJsonLine, positionOfOffset, prettyJsonLineOfError } from './definition-positions.mjs';
import { checkApiDefinition } from './openapi';

async function problemsOf(text: string) {
  try {
    await checkApiDefinition(text);
  } catch (error) {
    if (error instanceof AppError) return { message: error.message, problems: error.problems ?? [] };
    throw error;
  }
  throw new Error('the definition was accepted');
}

describe('positions of a definition’s problems (pure parts)', () => {
  it('turns an offset into a 1-based line and column', () => {
    expect(positionOfOffset('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOfOffset('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(positionOfOffset('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });

  it('reads both forms of JSON.parse positions', () => {
    expect(jsonErrorPosition('{\n  "a": 1,\n}', 'Expected double-quoted property name in JSON at position 12')).toEqual({ line: 3, column: 1 });
    expect(jsonErrorPosition('', 'Unexpected token (line 4 column 7)')).toEqual({ line: 4, column: 7 });
    expect(jsonErrorPosition('', 'Unexpected end of JSON input')).toBeNull();
  });

  it('finds which path starts on a line of the validator’s pretty JSON, as JSON.stringify lays it out', () => {
    const document = { openapi: '3.0.3', info: { title: 't', version: '1' }, tags: [], paths: { '/a': { get: { summary: 's', parameters: [{ name: 'x' }] } } } };
    const lines = JSON.stringify(document, null, 2).split('\n');
    for (const [index, text] of lines.entries()) {
      const path = pathAtPrettyJsonLine(document, index + 1);
      const key = /^\s*"([^"]+)":/.exec(text)?.[1];
      if (key) expect(path?.at(-1)).toBe(key);
    }
    expect(pathAtPrettyJsonLine(document, lines.findIndex((line) => line.includes('"parameters"')) + 2)).toEqual(['paths', '/a', 'get', 'parameters', 0]);
    expect(pathAtPrettyJsonLine(document, lines.length + 5)).toBeNull();
    expect(prettyJsonLineOfError("REQUIRED must have required property 'responses'\n\n  43 |  },\n> 45 |       \"get\": {")).toBe(45);
  });

  it('locates a path in YAML and in JSON text, following a $ref the validator resolved', () => {
    const yaml = ['openapi: 3.0.3', 'paths:', '  /pets:', '    get:', '      responses:', '        "200":', '          $ref: "#/components/responses/Ok"', 'components:', '  responses:', '    Ok:', '      description: fine', '      content: 7'].join('\n');
    const locate = createPathLocator(yaml);
    expect(locate(['paths', '/pets', 'get'])).toEqual({ line: 4, column: 5 });
    expect(locate(['paths', '/pets', 'get', 'responses', '200', 'content'])).toEqual({ line: 12, column: 7 });
    expect(locate(['paths', '/pets', 'missing', 'deeper'])).toEqual({ line: 3, column: 3 });
    const json = JSON.stringify({ openapi: '3.0.3', paths: { '/pets': { get: {} } } }, null, 2);
    expect(createPathLocator(json)(['paths', '/pets', 'get'])).toEqual({ line: 5, column: 7 });
  });
});

describe('a refused definition names the lines of its problems', () => {
  it('a YAML syntax error, at its line', async () => {
    const { problems } = await problemsOf('openapi: 3.0.3\ninfo:\n  title: x\n  version: "1"\npaths:\n  /a: [unclosed\n');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(6);
  });

  it('a JSON syntax error, at its line', async () => {
    const { problems } = await problemsOf('{\n  "openapi": "3.0.3",\n  "info": {"title": "x", "version": "1"},\n  "paths": {,}\n}');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4 });
  });

  it('schema errors, each at the line of the text that has them, also behind a $ref and in JSON', async () => {
    const yaml = [
      'openapi: 3.0.3',
      'info:',
      '  title: Pets',
      '  version: "1"',
      'paths:',
      '  /pets:',
      '    get:',
      '      responses:',
      '        "200":',
      '          $ref: "#/components/responses/Listed"',
      '  /owners:',
      '    get:',
      '      summary: no responses here',
      'components:',
      '  responses:',
      '    Listed:',
      '      description: A list',
      '      content: 7',
    ].join('\n');
    const { message, problems } = await problemsOf(yaml);
    expect(problems.map((p) => p.line).sort((a, b) => a - b)).toEqual([12, 18]);
    expect(message).toMatch(/line 12: .*responses/);
    const json = JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: { '/a': { get: { summary: 's' } } } }, null, 2);
    const fromJson = await problemsOf(json);
    expect(fromJson.problems[0]?.line).toBe(json.split('\n').findIndex((line) => line.includes('"get"')) + 1);
  });
});
