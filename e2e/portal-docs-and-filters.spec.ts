import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION, writeInDefinitionEditor } from './support/publisher';
import { signIn, signOut } from './support/session';

/**
 * The publisher's definition editor marks problems at their lines; the Markdown guide a publisher
 * writes reaches developers rendered safely (no script, no javascript: link, no image); and the
 * portal catalog filters by tag and state from the URL.
 */

const BROKEN_DEFINITION = [
  'openapi: 3.0.3',
  'info:',
  '  title: Broken pets',
  '  version: "1.0.0"',
  'paths:',
  '  /pets:',
  '    get:',
  '      summary: List pets, but no responses',
  '  /owners:',
  '    get:',
  '      responses:',
  '        "200":',
  '          description: Owners',
].join('\n');

const GUIDE = [
  '# Getting started',
  '',
  'Subscribe, then call **GET /pets** with your token.',
  '',
  '<script>window.__guideScriptRan = true</script>',
  '',
  '[Run this](javascript:window.__guideLinkRan=true) and [the full guide](https://docs.example.com/pets).',
  '',
  '![Sequence diagram](https://tracker.example/pixel.png)',
  '',
  '| Status | Meaning |',
  '|---|---|',
  '| 429 | Slow down |',
].join('\n');

test('the definition editor marks the check’s problems at their lines', async ({ page }) => {
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  await page.goto('/publisher/apis/new');
  // Loaded on demand: the first tab has no editor.
  await expect(page.locator('.cm-editor')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Paste a definition' }).click();
  const editor = page.getByRole('textbox', { name: 'Definition: OpenAPI 3 or Swagger 2.0, JSON or YAML' });
  await expect(editor).toBeVisible();
  await writeInDefinitionEditor(page, BROKEN_DEFINITION);
  await page.getByRole('button', { name: 'Check the definition' }).click();

  // The operation without responses is on line 7; the sentence says so and the line is marked.
  await expect(page.getByTestId('definition-help')).toContainText('line 7:', { timeout: 30_000 });
  await expect(page.getByTestId('definition-help')).toContainText('responses');
  const marked = page.locator('.cm-line', { has: page.locator('.cm-lintRange-error') });
  await expect(marked).toHaveCount(1);
  await expect(marked).toHaveText('    get:');
  await expect(page.locator('.cm-gutter-lint .cm-lint-marker-error')).toHaveCount(1);
  await expect(page.locator('.cm-lineNumbers')).toContainText('13');

  // A YAML syntax error is marked where the parser stopped; fixing the text and checking again clears the marks.
  await writeInDefinitionEditor(page, 'openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: "1"\npaths: {}\n');
  await page.getByRole('button', { name: 'Check the definition' }).click();
  await expect(page.getByTestId('definition-help')).toContainText('neither JSON nor YAML', { timeout: 30_000 });
  await expect(page.locator('.cm-lintRange-error')).not.toHaveCount(0);
  await writeInDefinitionEditor(page, BROKEN_DEFINITION.replace('      summary: List pets, but no responses', '      responses:\n        "200":\n          description: Pets'));
  await page.getByRole('button', { name: 'Check the definition' }).click();
  await expect(page.getByTestId('definition-upload-summary')).toContainText('Broken pets 1.0.0', { timeout: 30_000 });
  // Back to the editor with the text as it was, and no stale marks.
  await page.getByRole('button', { name: 'Edit the definition' }).click();
  await expect(page.locator('.cm-content')).toContainText('title: Broken pets');
  await expect(page.locator('.cm-lintRange-error')).toHaveCount(0);
});

test('a publisher’s Markdown guide reaches developers safely, and the catalog filters by tag and state', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const apiId = await publishApiFromDefinition(page, { name: 'GuidedPets', version: '1.0.0', context: '/guidedpets', endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
  await page.goto(`/publisher/apis/${apiId}`);
  await page.getByRole('textbox', { name: 'Tags' }).fill('guided, pets');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.')).toBeVisible({ timeout: 30_000 });

  await page.getByRole('tab', { name: 'Documentation' }).click();
  await page.getByRole('textbox', { name: 'Documentation (Markdown)' }).fill(GUIDE);
  await page.getByRole('tab', { name: 'Preview' }).click();
  await expect(page.getByTestId('documentation-preview').getByRole('heading', { name: 'Getting started' })).toBeVisible();
  await page.getByRole('button', { name: 'Save documentation' }).click();
  await expect(page.getByText('Saved. Developers see it on the Documentation tab')).toBeVisible();
  await signOut(page);

  // A visitor: the guide is the first tab of the Overview's documentation.
  await page.goto(`/portal/apis/${apiId}?tenant=carbon.super`);
  const guide = page.getByTestId('api-guide');
  await expect(guide.getByRole('heading', { name: 'Getting started' })).toBeVisible();
  await expect(guide).toContainText('Subscribe, then call GET /pets with your token.');
  await expect(guide.locator('script, img, iframe')).toHaveCount(0);
  await expect(guide).not.toContainText('__guideScriptRan');
  await expect(guide.getByRole('link', { name: 'Run this' })).toHaveCount(0);
  await expect(guide).toContainText('Run this');
  const safeLink = guide.getByRole('link', { name: 'the full guide' });
  await expect(safeLink).toHaveAttribute('href', 'https://docs.example.com/pets');
  await expect(safeLink).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await expect(guide).toContainText('[image: Sequence diagram]');
  await expect(guide.getByRole('cell', { name: 'Slow down' })).toBeVisible();
  await guide.getByText('Run this').click();
  expect(await page.evaluate(() => ({ script: (window as { __guideScriptRan?: boolean }).__guideScriptRan, link: (window as { __guideLinkRan?: boolean }).__guideLinkRan }))).toEqual({ script: undefined, link: undefined });
  await page.getByRole('tab', { name: /^Operations/ }).click();
  await expect(page).toHaveURL(/doc=operations/);
  await expect(page.getByRole('list', { name: 'Operations' })).toBeVisible();

  // The catalog, as a visitor: no internal tenant name, filters by tag and state in the URL.
  await page.goto('/portal?tenant=carbon.super');
  await expect(page.getByText('carbon.super')).toHaveCount(0);
  await expect(page.getByText('Super tenant')).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Tag' }).selectOption('guided');
  await expect(page).toHaveURL(/tag=guided/);
  await expect(page.getByTestId('catalog-total')).toHaveText('1 API, tagged “guided”');
  await expect(page.getByTestId('api-card-GuidedPets')).toBeVisible();
  await page.getByRole('combobox', { name: 'State' }).selectOption('published');
  await expect(page).toHaveURL(/state=published/);
  await expect(page).toHaveURL(/tag=guided/);
  await expect(page.getByTestId('api-card-GuidedPets')).toBeVisible();
  await page.getByRole('combobox', { name: 'State' }).selectOption('deprecated');
  await expect(page.getByRole('heading', { name: 'No API matches these filters' })).toBeVisible();
  await expect(page.getByTestId('empty-state')).toContainText('No listed API is deprecated, tagged “guided”.');
  await page.getByRole('link', { name: 'Clear filters and show all APIs' }).click();
  await expect(page).not.toHaveURL(/tag=|state=/);
  await expect(page.getByTestId('api-card-GuidedPets')).toBeVisible();
  // Search and a filter together, straight from a shared link.
  await page.goto('/portal?tenant=carbon.super&q=guided&tag=pets&state=published');
  await expect(page.getByTestId('catalog-total')).toHaveText('1 API, published, tagged “pets”, matching “guided”');
  await expect(page.getByRole('combobox', { name: 'Tag' })).toHaveValue('pets');
});
