import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The repository's import graph as the rule tests see it: every module a source file names
// (static, type-only, re-export, dynamic import() and require()), resolved to a repository path
// the way the bundler and vitest do (relative paths and the `@/` alias). Read with TypeScript's
// own pre-processor so a path in a comment or a string is not taken for an import.

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const SKIPPED_FOLDERS = new Set(['node_modules', '.next', '.git', 'test-results', 'playwright-report']);

/** Every source file below `folder` (a repository path), as repository paths with `/`. */
export function sourceFilesUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const child = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(child);
      } else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) {
        found.push(child);
      }
    }
  };
  if (existsSync(path.join(REPO_ROOT, folder))) walk(folder);
  return found.sort();
}

/** Tests and specs: files the product never loads. */
export function isTestFile(file: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);
}

function resolveModule(fromFile: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('.')) base = path.posix.join(path.posix.dirname(fromFile), specifier);
  else if (specifier.startsWith('@/')) base = specifier.slice(2);
  else return null;
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), ...SOURCE_EXTENSIONS.map((ext) => `${base}/index${ext}`)];
  for (const candidate of candidates) {
    const full = path.join(REPO_ROOT, candidate);
    if (existsSync(full) && statSync(full).isFile()) return candidate;
  }
  // A folder or a file not found still names where the import points, which is what the rules judge.
  return base;
}

/** The repository paths `file` imports (modules from packages are left out). */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((imported) => resolveModule(file, imported.fileName)).filter((target): target is string => target !== null);
}

/**
 * The repository paths `file` imports for their code, leaving out what only types come from
 * (`import type`, or every name marked `type`): what a bundler puts beside it.
 */
export function valueImportsOf(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const typeOnly = (clause: ts.ImportClause | undefined) => {
    if (!clause) return false; // `import './x'` runs the module
    if (clause.isTypeOnly) return true;
    const bindings = clause.namedBindings;
    return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !typeOnly(node.importClause)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specifiers.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.map((specifier) => resolveModule(file, specifier)).filter((target): target is string => target !== null);
}

/** Whether the file starts with the `'use client'` directive: it and what it imports run in the browser. */
export function isClientModule(file: string): boolean {
  return /^\s*(\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*['"]use client['"]/.test(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
}
