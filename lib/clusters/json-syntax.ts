/**
 * JSON syntax errors with a line and column. `JSON.parse` does the parsing; when it fails, a
 * small strict scanner finds where, because V8's messages do not always carry a position and
 * their wording changes between Node.js versions.
 */

export interface JsonSyntaxError {
  /** 0-based character offset. */
  offset: number;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

export function parseJsonWithLocation(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const found = findJsonSyntaxError(text) ?? { offset: text.length, message: (error as Error).message };
    return { ok: false, error: { ...found, ...lineAndColumn(text, found.offset) } };
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** Deep enough for any configuration, shallow enough that the scanner cannot overflow the stack. */
const MAX_DEPTH = 500;

class SyntaxProblem {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

function findJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  let position = 0;

  const fail = (message: string, at = position): never => {
    throw new SyntaxProblem(at, message);
  };
  const skipWhitespace = () => {
    while (position < text.length && ' \t\n\r'.includes(text[position]!)) position++;
  };
  const describeHere = (): string =>
    position >= text.length ? 'the end of the text' : `"${text[position] === '\n' ? '\\n' : text.slice(position, position + 1)}"`;

  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    skipWhitespace();
    const char = text[position];
    if (char === '{') return object(depth);
    if (char === '[') return array(depth);
    if (char === '"') return string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, position)) {
        position += literal.length;
        return;
      }
    }
    if (char === "'") fail('JSON strings need double quotes ("…"), not single quotes');
    fail(`expected a value (text in "double quotes", a number, true, false, null, {…} or […]) but found ${describeHere()}`);
  };

  const object = (depth: number): void => {
    position++; // {
    skipWhitespace();
    if (text[position] === '}') {
      position++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[position] === '}') fail('a trailing comma before "}" is not allowed in JSON');
      if (text[position] !== '"') fail(`expected a property name in "double quotes" but found ${describeHere()}`);
      string();
      skipWhitespace();
      if (text[position] !== ':') fail(`expected ":" after the property name but found ${describeHere()}`);
      position++;
      value(depth + 1);
      skipWhitespace();
      if (text[position] === ',') {
        position++;
        continue;
      }
      if (text[position] === '}') {
        position++;
        return;
      }
      fail(`expected "," or "}" after a property value but found ${describeHere()}`);
    }
  };

  const array = (depth: number): void => {
    position++; // [
    skipWhitespace();
    if (text[position] === ']') {
      position++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[position] === ']') fail('a trailing comma before "]" is not allowed in JSON');
      value(depth + 1);
      skipWhitespace();
      if (text[position] === ',') {
        position++;
        continue;
      }
      if (text[position] === ']') {
        position++;
        return;
      }
      fail(`expected "," or "]" after a list element but found ${describeHere()}`);
    }
  };

  const string = (): void => {
    const start = position;
    position++; // "
    for (;;) {
      if (position >= text.length) fail('this text in quotes is never closed', start);
      const char = text[position]!;
      if (char === '"') {
        position++;
        return;
      }
      if (char === '\\') {
        const escape = text[position + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(position + 2, position + 6))) fail('"\\u" must be followed by four hex digits');
          position += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail(`"\\${escape ?? ''}" is not a JSON escape; write "\\\\" for a backslash`);
        position += 2;
        continue;
      }
      if (char < ' ') fail(char === '\n' ? 'a line break inside text in quotes: close the quotes or write "\\n"' : 'a control character inside text in quotes');
      position++;
    }
  };

  const number = (): void => {
    const pattern = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) fail(`expected a number but found ${describeHere()}`);
    position += match![0].length;
  };

  try {
    value(0);
    skipWhitespace();
    if (position < text.length) fail(`unexpected ${describeHere()} after the end of the JSON value`);
    return undefined;
  } catch (problem) {
    if (problem instanceof SyntaxProblem) return { offset: problem.offset, message: problem.message };
    throw problem;
  }
}
