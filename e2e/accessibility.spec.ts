import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { createApplicationWithKeys, subscribeOnOverview } from './support/portal';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION, writeInDefinitionEditor } from './support/publisher';
import { signIn, signOut } from './support/session';

// Every page of the app, in light and dark mode, checked by axe: the run fails on any serious or
// critical violation (WCAG 2.x A and AA rules). A screenshot of each page is kept with the test's
// results, so a reviewer can look at the pages without running anything.

const API = { name: 'A11yPets', version: '1.0.0', context: '/a11ypets' };

/**
 * Swagger UI (Try Out) nests each operation's copy and expand buttons inside its clickable
 * summary row; that markup is the library's, not ours. Only that rule on those rows is let pass.
 */
function knownSwaggerUiIssue(rule: string, target: string): boolean {
  return rule === 'nested-interactive' && target.includes('.opblock-summary-control');
}

async function checkPage(page: Page, path: string, label: string, prepare?: (page: Page) => Promise<void>): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await prepare?.(page);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ ...violation, nodes: violation.nodes.filter((node) => !knownSwaggerUiIssue(violation.id, node.target.join(' '))) }))
      .filter((violation) => violation.nodes.length > 0);
    // Kept as a file under test-results/ and attached to the report.
    const screenshot = test.info().outputPath(`${label.replace(/[^A-Za-z0-9]+/g, '-')}-${colorScheme}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    await test.info().attach(`${label} (${colorScheme})`, { path: screenshot, contentType: 'image/png' });
    // Soft: one run reports every page's findings.
    expect.soft(
      serious.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 5).join(', ')}`),
      `${label} in ${colorScheme} mode`,
    ).toEqual([]);
  }
}

test.describe('accessibility', () => {
  // @once: what axe checks does not depend on the database, so the second pass (PostgreSQL) skips it.
  test('@once every page passes axe in light and dark mode', async ({ page }) => {
    // Some forty pages, each twice, with a publish on Local: minutes on two busy cores.
    test.setTimeout(900_000);
    await checkPage(page, '/signin', 'sign-in');
    await checkPage(page, '/signup', 'sign-up');
    await checkPage(page, '/portal?tenant=carbon.super', 'portal catalog, signed out');

    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const apiId = await publishApiFromDefinition(page, { ...API, endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
    await checkPage(page, '/publisher', 'publisher: APIs');
    await checkPage(page, '/publisher/apis/new', 'publisher: create an API');
    // The definition editor, with a problem the check marked at its line.
    await checkPage(page, '/publisher/apis/new', 'publisher: definition editor with a problem marked', async (editing) => {
      await editing.getByRole('tab', { name: 'Paste a definition' }).click();
      await writeInDefinitionEditor(editing, 'openapi: 3.0.3\ninfo:\n  title: T\n  version: "1"\npaths:\n  /a:\n    get:\n      summary: no responses\n');
      await editing.getByRole('button', { name: 'Check the definition' }).click();
      await expect(editing.locator('.cm-lintRange-error')).toHaveCount(1, { timeout: 30_000 });
    });
    await page.goto(`/publisher/apis/${apiId}/documentation`);
    await page.getByRole('textbox', { name: 'Documentation (Markdown)' }).fill('# Getting started\n\nCall `GET /pets` with a token; see [the guide](https://docs.example.com).\n\n| Code | Meaning |\n|---|---|\n| 429 | Slow down |\n\n> Tokens last an hour.');
    await page.getByRole('button', { name: 'Save documentation' }).click();
    await expect(page.getByText('Saved. Developers see it')).toBeVisible();
    await checkPage(page, `/publisher/apis/${apiId}/documentation`, 'publisher: documentation');
    await checkPage(page, `/publisher/apis/${apiId}/documentation`, 'publisher: documentation preview', async (previewing) => {
      await previewing.getByRole('tab', { name: 'Preview' }).click();
      await expect(previewing.getByTestId('documentation-preview').getByRole('heading', { name: 'Getting started' })).toBeVisible();
    });
    await checkPage(page, `/publisher/apis/${apiId}`, 'publisher: API overview');
    await checkPage(page, `/publisher/apis/${apiId}`, 'publisher: editing the definition', async (editing) => {
      await editing.getByRole('button', { name: 'Edit definition' }).click();
      await expect(editing.getByRole('textbox', { name: 'Definition (YAML; JSON works too)' })).toContainText('title: PetStore');
    });
    await checkPage(page, `/publisher/apis/${apiId}/environments`, 'publisher: environments');
    await checkPage(page, `/publisher/apis/${apiId}/lifecycle`, 'publisher: lifecycle');
    await checkPage(page, `/publisher/apis/${apiId}/subscriptions`, 'publisher: subscriptions');
    await checkPage(page, `/publisher/apis/${apiId}/traffic`, 'publisher: traffic (nothing called yet)');
    await checkPage(page, '/account/tokens', 'personal access tokens');
    await signOut(page);

    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    await createApplicationWithKeys(page, 'A11y App');
    await page.goto(`/portal/apis/${apiId}`);
    await subscribeOnOverview(page, 'A11y App');
    await checkPage(page, '/portal', 'portal catalog');
    await checkPage(page, `/portal/apis/${apiId}`, 'portal: API overview (guide)');
    await checkPage(page, `/portal/apis/${apiId}?doc=operations`, 'portal: API overview (operations)');
    await checkPage(page, '/portal?state=published&tag=pets', 'portal catalog, filtered');
    await checkPage(page, '/portal?state=deprecated&tag=no-such-tag', 'portal catalog, no match');
    await checkPage(page, `/portal/apis/${apiId}/try-out`, 'portal: Try Out');
    await checkPage(page, '/portal/applications', 'portal: applications');
    await page.goto('/portal/applications');
    await page.getByRole('link', { name: 'A11y App' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'A11y App' })).toBeVisible();
    await checkPage(page, new URL(page.url()).pathname, 'portal: application');
    await checkPage(page, new URL(page.url()).pathname, 'portal: application, sandbox keys', (p) => p.getByRole('tab', { name: 'Sandbox keys' }).click());
    await signOut(page);

    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    for (const [path, label] of [
      ['/admin', 'admin'],
      ['/admin/users', 'admin: users'],
      ['/admin/clusters', 'admin: clusters'],
      ['/admin/traffic', 'admin: traffic'],
      ['/admin/tenants', 'admin: tenants'],
      ['/admin/settings', 'admin: settings'],
      ['/admin/audit', 'admin: audit log'],
      ['/admin/sign-in', 'admin: sign-in providers'],
    ] as const) {
      await checkPage(page, path, label);
    }
    // A cluster's card opened, with its fields and actions.
    await checkPage(page, '/admin/clusters', 'admin: a cluster opened', async (opened) => {
      const card = opened.locator('[data-testid^="cluster-"]').first();
      await card.getByRole('button').first().click();
      await expect(card.locator('.MuiAccordionDetails-root')).toBeVisible();
    });
  });
});
