import { describe, expect, it } from 'vitest';
import { importsOf, isTestFile, sourceFilesUnder } from './source-imports';

// The rule: lib/test-support is for tests, benches and end-to-end specs only. Product code
// (pages, components, lib, the tools that ship) must never import it, so that a test helper
// cannot leak into the running app. The product's files at the repository root (next.config.js,
// proxy.ts, instrumentation.ts, ...) are checked too; the test runners' own configs may use it.

const TEST_SUPPORT = 'lib/test-support';

const productFiles = [
  ...['app', 'components', 'lib', 'tools'].flatMap((folder) => sourceFilesUnder(folder)),
  ...sourceFilesUnder('.').filter((file) => !file.slice(2).includes('/')).map((file) => file.slice(2)),
].filter((file) => !isTestFile(file) && !file.startsWith(`${TEST_SUPPORT}/`) && !/^(vitest|playwright)\.config\./.test(file));

function importsTestSupport(file: string): string[] {
  return importsOf(file).filter((target) => target === TEST_SUPPORT || target.startsWith(`${TEST_SUPPORT}/`));
}

describe('test support stays out of product code', () => {
  it('finds the product files it checks', () => {
    expect(productFiles).toContain('lib/secrets.ts');
    expect(productFiles.some((file) => file.startsWith('app/'))).toBe(true);
    expect(productFiles.some((file) => file.startsWith('components/'))).toBe(true);
    expect(productFiles.some((file) => file.startsWith('tools/'))).toBe(true);
  });

  it('sees an import of test support where there is one', () => {
    expect(importsTestSupport('lib/test-support/import-rule.test.ts')).toContain('lib/test-support/source-imports.ts');
  });

  it('no product file imports lib/test-support', () => {
    const offenders = productFiles.flatMap((file) => importsTestSupport(file).map((target) => `${file} imports ${target}`));
    expect(offenders).toEqual([]);
  });
});
