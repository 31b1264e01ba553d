// Parses, converts (Swagger 2.0) and validates one API definition off the main thread, so a
// definition whose $refs explode cannot stall the server (see definition-check.ts).
// Plain ESM JavaScript on purpose: it must start as is under vitest and in the Next.js build.
import { parentPort, workerData } from 'node:worker_threads';
import { compileErrors, validate } from '@readme/openapi-parser';
import swagger2openapi from 'swagger2openapi';
import { parse as parseYaml } from 'yaml';

const { text, maxExpandedNodes } = workerData;

/** A refusal meant for the user: `message` is the sentence, `field` what the form shows. */
class Refusal extends Error {
  constructor(message, field = message) {
    super(message);
    this.field = field;
  }
}

function readText() {
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both.
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new Refusal(`The definition is neither JSON nor YAML: ${error.message.split('\n')[0]}`);
  }
}

function definitionError(details) {
  const firstLines = details.split('\n').filter(Boolean).slice(0, 6).join(' ');
  return new Refusal(`The definition is not valid: ${firstLines}`, firstLines);
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

async function check() {
  const parsed = readText();
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Refusal('The definition must be an OpenAPI or Swagger object.');
  }
  let document = parsed;
  // Refused before anything dereferences it: the count is linear, the expansion it predicts is not.
  if (!expansionWithin(document, maxExpandedNodes)) {
    throw definitionError(`the definition expands beyond ${maxExpandedNodes} schema nodes when its $refs are resolved; keep shared schemas shallow or split the definition.`);
  }
  if (typeof document.swagger === 'string') {
    // validate() dereferences its argument in place; the stored document keeps its $refs.
    const swaggerCheck = await validate(structuredClone(document), { resolve: { external: false } });
    if (!swaggerCheck.valid) throw definitionError(compileErrors(swaggerCheck));
    const converted = await swagger2openapi.convertObj(document, { patch: true, warnOnly: true, resolve: false });
    document = converted.openapi;
  } else if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw definitionError('This is not an OpenAPI 3.x or Swagger 2.0 definition (no "openapi: 3.x" or "swagger: 2.0").');
  }
  const result = await validate(structuredClone(document), { resolve: { external: false } });
  if (!result.valid) throw definitionError(compileErrors(result));
  if (!document.paths || Object.keys(document.paths).length === 0) {
    throw definitionError('The definition has no paths: the gateway would have nothing to route.');
  }
  return document;
}

try {
  parentPort.postMessage({ ok: true, document: await check() });
} catch (error) {
  if (error instanceof Refusal) parentPort.postMessage({ ok: false, message: error.message, field: error.field });
  else if (error instanceof RangeError && /call stack/i.test(error.message)) {
    parentPort.postMessage({ ok: false, message: 'The definition is nested too deeply to be checked.' });
  } else parentPort.postMessage({ ok: false, unexpected: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
