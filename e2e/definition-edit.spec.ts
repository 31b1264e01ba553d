import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { seededAccounts } from './support/accounts';
import { SAMPLE_BACKEND_URL, SAMPLE_DEFINITION, writeInDefinitionEditor } from './support/publisher';
import { signIn } from './support/session';

/**
 * A publisher edits the definition of an existing API in the editor: problems the check finds are
 * marked at their lines and nothing is saved; the fixed text is saved and its operations are
 * routed; a save from a page opened before someone else's save is refused, its text kept.
 */

async function createApi(page: Page, name: string, context: string): Promise<string> {
  await page.goto('/publisher/apis/new');
  await page.getByRole('tab', { name: 'Import a file' }).click();
  await page.getByTestId('definition-file').setInputFiles(SAMPLE_DEFINITION);
  await expect(page.getByTestId('definition-upload-summary')).toContainText(`${path.basename(SAMPLE_DEFINITION)}: checked`, { timeout: 60_000 });
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0.0');
  await page.getByRole('textbox', { name: 'Context', exact: true }).fill(context);
  await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill(SAMPLE_BACKEND_URL);
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/publisher\/apis\/[0-9a-f-]+\/environments$/);
  return /apis\/([0-9a-f-]+)\//.exec(page.url())![1]!;
}

/** The stored definition as the editor shows it (YAML), read the way the editor reads it. */
async function storedYaml(page: Page, apiId: string): Promise<string> {
  const response = await page.request.get(`/api/publisher/apis/${apiId}/definition`);
  expect(response.ok()).toBe(true);
  return stringify(await response.json(), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Moves the editor's cursor to a line, so the editor (which draws only the lines in view) shows it. */
async function showLine(page: Page, line: number): Promise<void> {
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
}

/** `yamlText` with one more path, placed first under `paths:`; `operation` is its lines below "get:". */
function withPath(yamlText: string, pathName: string, operation: string[]): string {
  return yamlText.replace(/^paths:\n/m, ['paths:', `  ${pathName}:`, '    get:', ...operation.map((line) => `      ${line}`), ''].join('\n'));
}

test('a publisher edits an API’s definition: problems marked at their lines, then saved and routed', async ({ page }) => {
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const apiId = await createApi(page, 'EditedPets', '/editedpets');
  await page.goto(`/publisher/apis/${apiId}`);
  // The editor loads only when asked for.
  await expect(page.locator('.cm-editor')).toHaveCount(0);
  await page.getByRole('button', { name: 'Edit definition' }).click();
  const editor = page.getByRole('textbox', { name: 'Definition (YAML; JSON works too)' });
  await expect(editor).toBeVisible();
  await expect(editor).toContainText('title: PetStore');
  const current = await storedYaml(page, apiId);

  // An operation without responses: the check names its line, marks it, and nothing is saved.
  const broken = withPath(current, '/owners', ['summary: Owners, but no responses']);
  const brokenLine = broken.split('\n').indexOf('  /owners:') + 2;
  await writeInDefinitionEditor(page, broken);
  await page.getByRole('button', { name: 'Save definition' }).click();
  await expect(page.getByTestId('definition-edit-help')).toContainText(`line ${brokenLine}:`, { timeout: 30_000 });
  await showLine(page, brokenLine);
  const marked = page.locator('.cm-line', { has: page.locator('.cm-lintRange-error') });
  await expect(marked).toHaveCount(1);
  await expect(marked).toHaveText('    get:');
  await expect(editor).toContainText('Owners, but no responses');
  await expect(page.getByRole('textbox', { name: 'Resources' })).not.toHaveValue(/\/owners/);

  // Fixed: saved, the marks gone, and the new operation is routed.
  await writeInDefinitionEditor(page, withPath(current, '/owners', ['summary: List owners', 'responses:', '  "200":', '    description: Owners']));
  await page.getByRole('button', { name: 'Save definition' }).click();
  await expect(page.getByText('Saved the definition.')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.cm-editor')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Resources' })).toHaveValue(/^GET \/owners$/m);
  await expect(page.getByTestId('definition-summary')).toContainText('3 paths');

  // The settings form saved afterwards keeps the new operation (it started again from the saved lines).
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved. Deployed gateways are updated')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Resources' })).toHaveValue(/^GET \/owners$/m);
});

test('a definition saved from a page opened before another save is refused, and its text kept', async ({ page, context }) => {
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const apiId = await createApi(page, 'RacedPets', '/racedpets');
  await page.goto(`/publisher/apis/${apiId}`);
  await page.getByRole('button', { name: 'Edit definition' }).click();
  await expect(page.getByTestId('definition-editor')).toBeVisible();
  const current = await storedYaml(page, apiId);
  const ok = ['responses:', '  "200":', '    description: OK'];

  // Another tab of the same publisher saves first.
  const other = await context.newPage();
  await other.goto(`/publisher/apis/${apiId}`);
  await other.getByRole('button', { name: 'Edit definition' }).click();
  await expect(other.getByTestId('definition-editor')).toBeVisible();
  await writeInDefinitionEditor(other, withPath(current, '/theirs', ok));
  await other.getByRole('button', { name: 'Save definition' }).click();
  await expect(other.getByText('Saved the definition.')).toBeVisible({ timeout: 30_000 });

  const mine = withPath(current, '/mine', ok);
  await writeInDefinitionEditor(page, mine);
  await page.getByRole('button', { name: 'Save definition' }).click();
  await expect(page.getByTestId('definition-edit-help')).toContainText('was changed', { timeout: 30_000 });
  await showLine(page, mine.split('\n').indexOf('  /mine:') + 1);
  await expect(page.getByTestId('definition-editor')).toContainText('/mine:');
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Resources' })).toHaveValue(/^GET \/theirs$/m);
  await expect(page.getByRole('textbox', { name: 'Resources' })).not.toHaveValue(/\/mine/);
});
