// Parses, converts (Swagger 2.0) and validates one API definition off the main thread, so a
// definition whose $refs explode cannot stall the server (see definition-check.ts).
// Plain ESM JavaScript on purpose: it must start as is under vitest and in the Next.js build.
import { parentPort, workerData } from 'node:worker_threads';
import { compileErrors, validate } from '@readme/openapi-parser';
import jsYaml from 'js-yaml';
import swagger2openapi from 'swagger2openapi';
import { createPathLocator, jsonErrorPosition, pathAtPrettyJsonLine, prettyJsonLineOfError } from './definition-positions.mjs';

const { text, maxExpandedNodes, maxAliasedNodes } = workerData;

const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * A refusal meant for the user: `message` is the sentence, `field` what the form shows, `problems`
 * where in the text (line, column, what), when the parser or validator says.
 */
class Refusal extends Error {
  constructor(message, field = message, problems = []) {
    super(message);
    this.field = field;
    this.problems = problems;
  }
}

/** The first character that is not white space (or a byte order mark), without copying the text. */
function firstSignificantCharacter(source) {
  for (let index = 0; index < source.length; index++) {
    const character = source[index];
    if (!/[\s\uFEFF]/.test(character)) return character;
  }
  return '';
}

/**
 * JSON is read by JSON.parse (a 13 MB definition in a fraction of a second), anything else as YAML
 * by js-yaml with the YAML 1.2 core schema (no dates or other tags): some ten times faster than the
 * `yaml` package on multi-megabyte documents. A text that starts with "{" is held to JSON, so a
 * broken JSON file gets JSON's error rather than a YAML one.
 */
function readText() {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (firstSignificantCharacter(source) === '{') {
    try {
      return JSON.parse(source);
    } catch (error) {
      const summary = error.message.split('\n')[0];
      const position = jsonErrorPosition(source, summary);
      const message = `The definition is not valid JSON: ${summary}`;
      throw new Refusal(message, message, position ? [{ ...position, message: summary }] : []);
    }
  }
  try {
    return jsYaml.load(source, { schema: jsYaml.CORE_SCHEMA });
  } catch (error) {
    const message = `The definition is neither JSON nor YAML: ${error.message.split('\n')[0]}`;
    // js-yaml counts from 0.
    const mark = error.mark;
    const problems = mark && Number.isInteger(mark.line) ? [{ line: mark.line + 1, column: (mark.column ?? 0) + 1, message: error.reason ?? message }] : [];
    throw new Refusal(message, message, problems);
  }
}

function definitionError(details) {
  const firstLines = details.split('\n').filter(Boolean).slice(0, 6).join(' ');
  return new Refusal(`The definition is not valid: ${firstLines}`, firstLines);
}

const LOCATED_ERRORS = 5;

/**
 * A failed validation as the publisher can act on it: each error's first line, with the line of
 * the text it is on. The validator frames errors in its own rendering of the dereferenced document
 * (`validated`, which it dereferenced in place); that line maps back to a path, and the path to
 * the text. Without a frame (rule checks such as duplicate operation ids) the message stays whole.
 */
function validationRefusal(result, validated, locate) {
  const framed = result.errors.filter((error) => prettyJsonLineOfError(error.message) !== null);
  if (!locate || framed.length === 0) return definitionError(compileErrors(result));
  const problems = framed.slice(0, LOCATED_ERRORS).map((error) => {
    const summary = error.message.split('\n')[0].trim();
    let position = null;
    try {
      position = locate(pathAtPrettyJsonLine(validated, prettyJsonLineOfError(error.message)));
    } catch {
      // A document the walk cannot follow keeps its message without a line.
    }
    return { ...(position ?? {}), message: summary };
  });
  const others = result.errors.length - problems.length + (result.additionalErrors ?? 0);
  const listed = problems.map((problem) => (problem.line ? `line ${problem.line}: ${problem.message}` : problem.message)).join('; ');
  const text = `${listed}${others > 0 ? `; and ${others} more` : ''}`;
  return new Refusal(`The definition is not valid: ${text}`, text, problems.filter((problem) => problem.line));
}

/**
 * YAML aliases (*anchor) come out of js-yaml as one object reached from several places: storing
 * the document as JSON copies it at each. Refused past `limit` copied nodes, so a "billion laughs"
 * document cannot grow into gigabytes after it was accepted. JSON never shares, so this stops at
 * the first walk for it.
 */
function aliasedNodesWithin(document, limit) {
  const seen = new Set();
  let shared = false;
  const walk = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (seen.has(node)) {
      shared = true;
      return;
    }
    seen.add(node);
    for (const child of Object.values(node)) walk(child);
  };
  walk(document);
  if (!shared) return true;
  const unique = seen.size;
  let visited = 0;
  const copy = (node) => {
    if (node === null || typeof node !== 'object' || visited > unique + limit) return;
    visited++;
    for (const child of Object.values(node)) copy(child);
  };
  copy(document);
  return visited <= unique + limit;
}

/** The node a local `$ref` ("#/components/schemas/Pet") points at; external refs are never resolved. */
function resolvePointer(root, ref) {
  if (!ref.startsWith('#')) return undefined;
  let node = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    let key;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * The nodes the document has once its local $refs are resolved, memoised per ref so it is linear in
 * the document's size, stopping at the first node past `limit`. Returns false past the limit.
 */
function expansionWithin(document, limit) {
  const sizeOfRef = new Map();
  const resolving = new Set();
  let exceeded = false;
  const sizeOf = (node) => {
    if (exceeded || node === null || typeof node !== 'object') return 1;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const known = sizeOfRef.get(ref);
      if (known !== undefined) return known;
      // A cycle stays a reference after dereferencing: it adds one node, not infinitely many.
      if (resolving.has(ref)) return 1;
      resolving.add(ref);
      const size = sizeOf(resolvePointer(document, ref));
      resolving.delete(ref);
      sizeOfRef.set(ref, size);
      return size;
    }
    let total = 1;
    for (const child of Object.values(node)) {
      total += sizeOf(child);
      if (total > limit) {
        exceeded = true;
        return total;
      }
    }
    return total;
  };
  return sizeOf(document) <= limit && !exceeded;
}

/** What the publisher sees before and after the import: counted here, where the document already is. */
function summaryOf(document, sourceSpecification) {
  const info = document.info && typeof document.info === 'object' ? document.info : {};
  const tags = new Set();
  let operations = 0;
  const paths = document.paths ?? {};
  for (const item of Object.values(paths)) {
    if (!item || typeof item !== 'object') continue;
    for (const key of OPERATION_KEYS) {
      const operation = item[key];
      if (!operation || typeof operation !== 'object') continue;
      operations++;
      for (const tag of Array.isArray(operation.tags) ? operation.tags : []) if (typeof tag === 'string') tags.add(tag);
    }
  }
  return {
    title: typeof info.title === 'string' ? info.title : '',
    version: typeof info.version === 'string' ? info.version : String(info.version ?? ''),
    description: typeof info.description === 'string' ? info.description : '',
    specification: sourceSpecification,
    paths: Object.keys(paths).length,
    operations,
    tags: tags.size,
    // The create form proposes a context from its path (lib/apis/definition-suggestions.ts).
    firstServerUrl: Array.isArray(document.servers) && typeof document.servers[0]?.url === 'string' ? document.servers[0].url.slice(0, 500) : '',
  };
}

async function check() {
  const parsed = readText();
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Refusal('The definition must be an OpenAPI or Swagger object.');
  }
  if (!aliasedNodesWithin(parsed, maxAliasedNodes)) {
    throw definitionError(`its YAML aliases copy more than ${maxAliasedNodes} nodes; write the repeated parts out or use $ref.`);
  }
  let document = parsed;
  // Refused before anything dereferences it: the count is linear, the expansion it predicts is not.
  if (!expansionWithin(document, maxExpandedNodes)) {
    throw definitionError(`the definition expands beyond ${maxExpandedNodes} schema nodes when its $refs are resolved; keep shared schemas shallow or split the definition.`);
  }
  const sourceSpecification = typeof document.swagger === 'string' ? `Swagger ${document.swagger}` : `OpenAPI ${document.openapi}`;
  // Lines are looked up only for a refused definition, and only in text an editor holds.
  let locator;
  const locate = (path) => (locator ??= createPathLocator(text))(path);
  if (typeof document.swagger === 'string') {
    // validate() dereferences its argument in place; the stored document keeps its $refs.
    const validated = structuredClone(document);
    const swaggerCheck = await validate(validated, { resolve: { external: false } });
    if (!swaggerCheck.valid) throw validationRefusal(swaggerCheck, validated, locate);
    const converted = await swagger2openapi.convertObj(document, { patch: true, warnOnly: true, resolve: false });
    document = converted.openapi;
  } else if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw definitionError('This is not an OpenAPI 3.x or Swagger 2.0 definition (no "openapi: 3.x" or "swagger: 2.0").');
  }
  const validated = structuredClone(document);
  const result = await validate(validated, { resolve: { external: false } });
  // A converted Swagger document is not the text the publisher wrote: no lines for it.
  if (!result.valid) throw validationRefusal(result, validated, document === parsed ? locate : null);
  if (!document.paths || Object.keys(document.paths).length === 0) {
    throw definitionError('The definition has no paths: the gateway would have nothing to route.');
  }
  return { document, summary: summaryOf(document, sourceSpecification) };
}

try {
  const { document, summary } = await check();
  // As JSON text: the request thread stores it as is, and never rebuilds megabytes of objects.
  parentPort.postMessage({ ok: true, json: JSON.stringify(document), summary });
} catch (error) {
  if (error instanceof Refusal) parentPort.postMessage({ ok: false, message: error.message, field: error.field, problems: error.problems });
  else if (error instanceof RangeError && /call stack/i.test(error.message)) {
    parentPort.postMessage({ ok: false, message: 'The definition is nested too deeply to be checked.' });
  } else parentPort.postMessage({ ok: false, unexpected: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
