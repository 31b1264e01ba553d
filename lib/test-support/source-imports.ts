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
