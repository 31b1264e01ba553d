import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export const SAMPLE_BACKEND_URL = 'http://127.0.0.1:8090';
export const SAMPLE_DEFINITION = path.join(__dirname, '../../tools/sample-backend/openapi.yaml');

export interface PublishOptions {
  name: string;
  version: string;
  context: string;
  endpoint: string;
  /** Where tokens of sandbox keys go; none when absent. */
  sandboxEndpoint?: string;
  definitionPath: string;
  /** Display names of the clusters to tick on the Environments tab. */
  clusters: string[];
  visibility?: 'public' | 'private';
}

/** As a signed-in publisher: import a definition file, pick clusters, publish, wait until every cluster is ready. */
export async function publishApiFromDefinition(page: Page, options: PublishOptions): Promise<string> {
  await page.goto('/publisher/apis/new');
  await page.getByRole('tab', { name: 'Import a file' }).click();
  await page.getByTestId('definition-file').setInputFiles(options.definitionPath);
  // The file is uploaded and checked as soon as it is chosen; the form then carries only its id.
  await expect(page.getByTestId('definition-upload-summary')).toContainText(`${path.basename(options.definitionPath)}: checked`, { timeout: 60_000 });
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(options.name);
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill(options.version);
  await page.getByRole('textbox', { name: 'Context', exact: true }).fill(options.context);
  await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill(options.endpoint);
  if (options.sandboxEndpoint) await page.getByRole('textbox', { name: 'Sandbox endpoint URL(s)' }).fill(options.sandboxEndpoint);
  if (options.visibility === 'private') {
    await page.getByRole('combobox', { name: 'Visibility on the portal' }).click();
    await page.getByRole('option', { name: /^Private/ }).click();
  }
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/publisher\/apis\/[0-9a-f-]+\/environments$/);
  const apiId = /apis\/([0-9a-f-]+)\//.exec(page.url())![1]!;

  for (const cluster of options.clusters) await page.getByRole('checkbox', { name: cluster, exact: true }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved the clusters.')).toBeVisible();

  await page.getByRole('tab', { name: 'Lifecycle' }).click();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('lifecycle-state')).toHaveText('Published');
  for (const row of await page.getByTestId(/^deployment-row-/).all()) {
    await expect(row.getByTestId('deployment-status')).toHaveText('ready', { timeout: 60_000 });
  }
  return apiId;
}

/**
 * Puts `text` in the create form's definition editor (CodeMirror), replacing what is there, as a
 * paste does: one clipboard event, which the editor inserts (or its size limit refuses) whole.
 * Typing megabytes key by key would take minutes and is not what people do.
 */
export async function writeInDefinitionEditor(page: Page, text: string): Promise<void> {
  const content = page.getByTestId('definition-editor').locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  if (!text) return page.keyboard.press('Delete');
  await content.evaluate((element, pasted) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData('text/plain', pasted);
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, text);
}
