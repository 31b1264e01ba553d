import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { CliError, type ProblemError } from './client';

/**
 * Reads an API file for `apply` and `diff`: YAML (or JSON), its definition file resolved
 * relative to it, and every position kept, so a problem the portal reports with a JSON Pointer
 * into the spec is shown at its line and column in the file. The portal validates the spec (one
 * set of rules); only what is needed to address the API is checked here.
 */

export const API_FILE_API_VERSION = 'privatejet/v1';
const MAX_DEFINITION_BYTES = 2 * 1024 * 1024;

export interface LoadedApiFile {
  path: string;
  name: string;
  version: string;
  /** The spec as the REST API takes it: a definition file is inlined as text. */
  spec: Record<string, unknown>;
  /** Where a problem at this JSON Pointer into the spec is in the file(s), for people. */
  locate(error: ProblemError): string;
}

type Segment = string | number;

function segmentsOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function display(segments: Segment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** `filePath` "-" with `stdinText`: the file came on standard input; a definition file is then relative to the working folder. */
export function loadApiFile(filePath: string, stdinText?: string): LoadedApiFile {
  let text: string;
  if (filePath === '-') {
    text = stdinText ?? '';
    filePath = '<stdin>';
  } else {
    try {
      text = fs.readFileSync(filePath, 'utf8');
    } catch (error) {
      throw new CliError(`Cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const position = error.linePos?.[0];
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return `${filePath}${position ? `:${position.line}:${position.col}` : ''}: ${message}`;
    });
    throw new CliError(`${filePath} is not valid YAML:\n  ${lines.join('\n  ')}`);
  }

  /** Where a path starts: the key of a mapping entry, the item of a sequence. */
  const offsetOf = (segments: Segment[]): number | undefined => {
    if (segments.length === 0) return 0;
    const parent = document.getIn(segments.slice(0, -1), true);
    const last = segments[segments.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === last);
      return (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
    }
    if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as { range?: [number, number, number] } | undefined)?.range?.[0];
    return undefined;
  };

  /** The node at a path (or its nearest ancestor that exists) as file:line:col. */
  const positionOf = (segments: Segment[]): string => {
    for (let length = segments.length; length >= 0; length--) {
      const offset = offsetOf(segments.slice(0, length));
      if (offset !== undefined) {
        const { line, col } = lineCounter.linePos(offset);
        return `${filePath}:${line}:${col}`;
      }
    }
    return filePath;
  };
  const located = (segments: Segment[], message: string) => `${positionOf(segments)}: ${display(segments)}: ${message}`;

  const root = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new CliError(`${filePath}:1:1: an API file is a mapping with apiVersion, kind, metadata and spec.`);
  const problems: string[] = [];
  if (root.apiVersion !== API_FILE_API_VERSION) problems.push(located(['apiVersion'], `write apiVersion: ${API_FILE_API_VERSION}`));
  if (root.kind !== 'API') problems.push(located(['kind'], 'write kind: API'));
  const metadata = (root.metadata ?? {}) as Record<string, unknown>;
  for (const key of ['name', 'version'] as const) {
    if (typeof metadata[key] !== 'string' || !(metadata[key] as string).trim()) problems.push(located(['metadata', key], `give the API's ${key} as text`));
  }
  const spec = root.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) problems.push(located(['spec'], 'give the spec: context, productionEndpoints, tiers…'));
  const unknownTop = Object.keys(root).filter((key) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(key));
  for (const key of unknownTop) problems.push(located([key], `"${key}" is not a known field`));
  if (problems.length > 0) throw new CliError(`${filePath} is not an API file:\n  ${problems.join('\n  ')}`);

  const resolved = { ...(spec as Record<string, unknown>) };
  let definitionPath: string | undefined;
  const definition = resolved.definition as Record<string, unknown> | undefined;
  if (definition && typeof definition === 'object' && !Array.isArray(definition) && typeof definition.file === 'string' && Object.keys(definition).length === 1) {
    definitionPath = path.resolve(filePath === '<stdin>' ? process.cwd() : path.dirname(filePath), definition.file);
    let definitionText: string;
    try {
      definitionText = fs.readFileSync(definitionPath, 'utf8');
    } catch (error) {
      throw new CliError(located(['spec', 'definition', 'file'], `cannot read ${definitionPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
    }
    if (Buffer.byteLength(definitionText) > MAX_DEFINITION_BYTES) throw new CliError(located(['spec', 'definition', 'file'], `${definitionPath} is larger than 2 MiB`));
    resolved.definition = definitionText;
  }

  const locate = (error: ProblemError): string => {
    if (error.parameter === 'name' || error.parameter === 'version') return located(['metadata', error.parameter], error.detail);
    if (error.pointer === undefined) return error.header ? `${error.header}: ${error.detail}` : error.detail;
    const segments: Segment[] = segmentsOf(error.pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    if (segments.length === 1 && (segments[0] === 'name' || segments[0] === 'version') && !(segments[0] in resolved)) return located(['metadata', segments[0]], error.detail);
    if (segments[0] === 'definition' && definitionPath) return `${positionOf(['spec', 'definition', 'file'])}: ${path.relative(process.cwd(), definitionPath) || definitionPath}: ${error.detail}`;
    return located(['spec', ...segments], error.detail);
  };

  return { path: filePath, name: String(metadata.name).trim(), version: String(metadata.version).trim(), spec: resolved, locate };
}
