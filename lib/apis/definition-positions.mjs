// Where in the text a definition's problem is: line and column (1-based) for the publisher's
// editor to mark. Plain ESM JavaScript, as the worker that uses it (definition-worker.mjs).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/**
 * Locating means parsing the text again with positions (the `yaml` package, which reads JSON too):
 * worth it for what fits an editor, not for a 13 MB import, whose errors keep their message only.
 */
export const MAX_LOCATED_CHARACTERS = 4 * 1024 * 1024;

/** Line and column (1-based) of a character offset. */
export function positionOfOffset(text, offset) {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The position of a JSON.parse error: newer engines say "(line 3 column 5)", Node 20 says
 * "at position 42" (an offset); some messages say neither.
 */
export function jsonErrorPosition(text, message) {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const offset = /at position (\d+)/.exec(message);
  return offset ? positionOfOffset(text, Number(offset[1])) : null;
}

/**
 * The path (keys and indexes) of whatever starts on `targetLine` of JSON.stringify(document, null, 2):
 * the validator shows its schema errors on that rendering, not on the text the publisher wrote.
 * A closing brace's line answers the object it closes. Null past the end.
 */
export function pathAtPrettyJsonLine(document, targetLine) {
  if (targetLine === 1) return [];
  let line = 1;
  let found = null;
  const visit = (node, path) => {
    if (node === null || typeof node !== 'object') return;
    const entries = Array.isArray(node) ? node.map((value, index) => [index, value]) : Object.entries(node).filter(([, value]) => value !== undefined && typeof value !== 'function');
    if (entries.length === 0) return;
    for (const [key, value] of entries) {
      line++;
      if (line === targetLine) {
        found = [...path, key];
        return;
      }
      visit(value, [...path, key]);
      if (found || line > targetLine) return;
    }
    line++;
    if (line === targetLine) found = path;
  };
  visit(document, []);
  return found;
}

/** The node a local `$ref` points at in the parsed text, or undefined. */
function refTarget(yamlDocument, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  let node = yamlDocument.contents;
  for (const raw of ref.slice(2).split('/')) {
    let key;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    node = childOf(yamlDocument, node, key)?.value;
    if (!node) return undefined;
  }
  return node;
}

/** The child of a map or sequence by key or index, with where its key (or item) starts. */
function childOf(yamlDocument, node, key) {
  if (isAlias(node)) node = node.resolve(yamlDocument);
  if (isMap(node)) {
    const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(key));
    return pair ? { value: isAlias(pair.value) ? pair.value.resolve(yamlDocument) : pair.value, offset: pair.key?.range?.[0] } : undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(key)];
    return item ? { value: isAlias(item) ? item.resolve(yamlDocument) : item, offset: item.range?.[0] } : undefined;
  }
  return undefined;
}

/**
 * Where `path` of the dereferenced document is written in the text: the validator resolved the
 * $refs, so a path may run through one; it is followed to the schema it names. Stops at the
 * deepest part found (an error about a missing key points at the object that lacks it).
 */
export function createPathLocator(text) {
  if (text.length > MAX_LOCATED_CHARACTERS) return () => null;
  let yamlDocument;
  const lineCounter = new LineCounter();
  try {
    yamlDocument = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  } catch {
    return () => null;
  }
  if (yamlDocument.errors.length > 0) return () => null;
  return (path) => {
    if (!path) return null;
    let node = yamlDocument.contents;
    let offset = node?.range?.[0];
    for (const key of path) {
      let child = childOf(yamlDocument, node, key);
      // A $ref the validator replaced by its target: continue in the target (a chain of refs, a few hops at most).
      for (let hops = 0; !child && hops < 20; hops++) {
        const target = refTarget(yamlDocument, childOf(yamlDocument, node, '$ref')?.value?.value);
        if (!target) break;
        node = target;
        child = childOf(yamlDocument, node, key);
      }
      if (!child) break;
      node = child.value;
      if (child.offset !== undefined) offset = child.offset;
    }
    if (offset === undefined) return null;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}

/** The line of the validator's code frame that carries the error ("> 45 |"). */
export function prettyJsonLineOfError(message) {
  const match = /^>\s*(\d+)\s*\|/m.exec(message);
  return match ? Number(match[1]) : null;
}
