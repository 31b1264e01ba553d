import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { largeDefinition, largeDefinitionJson, operationCountOf } from '../lib/test-support/large-definition';
import { seededAccounts } from './support/accounts';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, writeInDefinitionEditor } from './support/publisher';
import { signIn } from './support/session';

/**
 * A definition of a real provider's size (13 MB, 1,074 paths) through the browser: the file is
 * uploaded and checked as it is chosen, the API is created and published on Local, the pages
 * show summaries and a paginated operation list, Try Out opens it. And what does not fit is
 * refused with the limit in words, before and after sending.
 */
const folder = mkdtempSync(path.join(tmpdir(), 'privatejet-e2e-definitions-'));
const big = largeDefinitionJson(13_000_000);
const bigFile = path.join(folder, 'provider-openapi.json');
writeFileSync(bigFile, big.text);
const firstTemplate = Object.keys(largeDefinition({ paths: big.paths }).paths as object)[0]!;

test.describe('large definitions', () => {
  test('a 13 MB file imports, publishes on Local, and every page stays light', async ({ page, request }) => {
    test.setTimeout(300_000);
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const started = Date.now();
    const apiId = await publishApiFromDefinition(page, { name: 'Provider', version: '1.0.0', context: '/provider', endpoint: SAMPLE_BACKEND_URL, definitionPath: bigFile, clusters: ['Local'] });
    console.info(`13 MB file: chosen → published and ready on Local in ${Math.round((Date.now() - started) / 1000)} s`);
    // The dedicated gateway routes the definition's paths.
    expect((await request.get(`http://localhost:8243/provider/1.0.0${firstTemplate.replace(/\{[^}]+\}/g, '7')}`)).status()).toBe(401);

    // The publisher's page: a summary and the text on demand, not the document.
    const publisherPage = await page.goto(`/publisher/apis/${apiId}`);
    await expect(page.getByTestId('definition-summary')).toContainText(`${big.paths.toLocaleString('en')} paths · ${operationCountOf(big.paths).toLocaleString('en')} operations`);
    expect((await publisherPage!.body()).length).toBeLessThan(1_500_000);
    const definition = await page.request.get(`/api/publisher/apis/${apiId}/definition`);
    expect(definition.headers()['content-type']).toContain('application/json');
    expect(Object.keys(((await definition.json()) as { paths: object }).paths)).toHaveLength(big.paths);

    // The portal Overview: operations by tag, a page at a time.
    const overview = await page.goto(`/portal/apis/${apiId}`);
    expect((await overview!.body()).length).toBeLessThan(1_500_000);
    await expect(page.getByTestId('operation-count')).toContainText(`${operationCountOf(big.paths).toLocaleString('en')} operations in 24 groups`);
    const tags = page.getByRole('navigation', { name: 'Operation tags' });
    await tags.getByRole('link', { name: /^comments \(/ }).click();
    await expect(page).toHaveURL(/tag=comments/);
    await expect(page.getByRole('heading', { level: 3, name: 'comments' })).toBeVisible();
    const listed = page.getByRole('list', { name: 'Operations' }).getByRole('listitem');
    await expect(listed).toHaveCount(50);
    await page.getByRole('navigation', { name: 'Pages of comments' }).getByRole('link', { name: 'Go to page 2' }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(listed.first()).toBeVisible();

    // Try Out fetches the definition after the page and opens it collapsed, with a filter.
    const tryOutStarted = Date.now();
    const tryOut = await page.goto(`/portal/apis/${apiId}/try-out`);
    expect((await tryOut!.body()).length).toBeLessThan(1_500_000);
    await expect(page.locator('.swagger-ui .operation-filter-input')).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('.swagger-ui .opblock-tag-section').first()).toBeVisible();
    console.info(`Try Out with ${big.paths} paths usable after ${Math.round((Date.now() - tryOutStarted) / 1000)} s`);
    // The filter keeps the tags whose name or paths match; Swagger UI re-renders the whole console
    // per change, which takes a while with a document this size.
    const sections = page.locator('.swagger-ui .opblock-tag-section');
    await expect(sections).toHaveCount(24);
    await page.locator('.swagger-ui .operation-filter-input').fill('comments');
    await expect.poll(() => sections.count(), { timeout: 60_000 }).toBeLessThan(24);
    await expect(page.locator('.swagger-ui .opblock-tag[data-tag="comments"]')).toBeVisible();
  });

  test('too large is refused with the limit in words, before sending and by the server', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto('/publisher/apis/new');
    await page.getByRole('tab', { name: 'Import a file' }).click();
    await expect(page.getByTestId('definition-help')).toHaveText('OpenAPI 3.x or Swagger 2.0, JSON or YAML, up to 32 MiB.');
    const oversized = path.join(folder, 'oversized.json');
    writeFileSync(oversized, Buffer.alloc(33 * 1024 * 1024, 0x20));
    await page.getByTestId('definition-file').setInputFiles(oversized);
    await expect(page.getByTestId('definition-help')).toHaveText('The definition is larger than 32 MiB, the most this platform imports.');

    // A client that sends it anyway gets the same sentence, with 413, not a generic page.
    const refused = await page.request.post('/api/publisher/definitions', { data: Buffer.alloc(33 * 1024 * 1024, 0x20), headers: { 'content-type': 'application/json' } });
    expect(refused.status()).toBe(413);
    expect(await refused.json()).toMatchObject({ error: 'The definition is larger than 32 MiB, the most this platform imports.' });

    // A paste is checked when the form is sent: a broken one is refused with the parser's reason, and what was typed stays.
    await page.getByRole('tab', { name: 'Paste a definition' }).click();
    await writeInDefinitionEditor(page, '{ "openapi": "3.0.3", ');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Broken');
    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0.0');
    await page.getByRole('textbox', { name: 'Context', exact: true }).fill('/broken');
    await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill(SAMPLE_BACKEND_URL);
    await page.getByRole('button', { name: 'Create API' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'The definition is not valid JSON' })).toBeVisible();
    await expect(page.getByTestId('definition-editor').locator('.cm-content')).toHaveText('{ "openapi": "3.0.3", ');

    // A 5 MB paste is more than the editor takes: refused whole, with where larger definitions go.
    await writeInDefinitionEditor(page, largeDefinitionJson(5_000_000).text);
    await expect(page.getByTestId('definition-help')).toContainText('The editor takes definitions up to 2 MiB. Import a larger one on the "Import a file" tab');
    await expect(page.getByTestId('definition-editor').locator('.cm-content')).toHaveText('{ "openapi": "3.0.3", ');

    // A 1.5 MB paste (in one go, as a user's paste) goes through the same upload.
    await writeInDefinitionEditor(page, largeDefinitionJson(1_500_000).text);
    await page.getByRole('button', { name: 'Create API' }).click();
    await expect(page).toHaveURL(/\/publisher\/apis\/[0-9a-f-]+\/environments$/, { timeout: 90_000 });
  });
});
