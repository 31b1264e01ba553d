import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { createApplicationWithKeys, executeListPets, liveResponse, subscribeOnOverview } from './support/portal';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION } from './support/publisher';
import { signIn, signOut } from './support/session';

const API = { name: 'TrafficPets', version: '1.0.0', context: '/trafficpets' };
const LOCAL_GATEWAY_URL = `http://localhost:8243${API.context}/${API.version}`;

/** Reloads until `check` passes: the gateways are read every 2 s here (playwright.config.ts). */
async function eventually(page: Page, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 60_000, intervals: [1000, 2000, 3000] });
}

/** No serious or critical axe finding, in light and in dark mode. */
async function axeCheck(page: Page, label: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.reload();
    await page.waitForLoadState('networkidle');
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(
      serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
      `${label} in ${colorScheme} mode`,
    ).toEqual([]);
  }
}

test.describe('traffic', () => {
  test('calls made through Try Out show on the publisher’s Traffic tab and on the developer’s application page', async ({ page }) => {
    test.setTimeout(300_000);

    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const apiId = await publishApiFromDefinition(page, { ...API, endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
    await page.goto(`/publisher/apis/${apiId}/traffic`);
    await expect(page.getByRole('tab', { name: 'Traffic' })).toHaveAttribute('aria-selected', 'true');
    // Nothing was called yet: the page says why there is nothing to chart.
    await expect(page.getByTestId('empty-state')).toContainText(/No calls in the last hour|Waiting for the first reading/);
    // The API list marks a published API nobody calls.
    await page.goto('/publisher');
    await expect(page.getByTestId(`no-traffic-${API.name}`)).toHaveText('No traffic');
    await signOut(page);

    // A developer calls it three times from Try Out, and once with a token that is not one.
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    await createApplicationWithKeys(page, 'Traffic App');
    const applicationUrl = page.url();
    await page.goto(`/portal/apis/${apiId}`);
    await subscribeOnOverview(page, 'Traffic App');
    await page.goto(`/portal/apis/${apiId}/try-out`);
    await page.getByRole('combobox', { name: 'Gateway' }).click();
    await page.getByRole('option', { name: new RegExp(`Local — ${LOCAL_GATEWAY_URL}`) }).click();
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(page.getByRole('textbox', { name: 'Access token' })).not.toHaveValue('');
    const response = liveResponse(page);
    for (let call = 0; call < 3; call++) {
      await executeListPets(page);
      await expect(response.status).toHaveText(/^200\b/, { timeout: 20_000 });
      // Swagger UI keeps the last response: clear it so the next one is seen arriving.
      await page.locator('.opblock-get .btn-clear').first().click();
    }
    await page.getByRole('textbox', { name: 'Access token' }).fill('not-a-token');
    await executeListPets(page);
    await expect(response.status).toHaveText(/^401\b/, { timeout: 20_000 });

    // The developer's application page: three calls today, against the tier's limit.
    await page.goto(applicationUrl);
    await eventually(page, async () => {
      const usage = page.getByTestId(`usage-${API.name}`);
      await expect(usage.getByTestId('calls-today')).toHaveText('3', { timeout: 1000 });
      await expect(usage.getByTestId('peak-minute')).toContainText(/of [\d,]+ per minute|unlimited/, { timeout: 1000 });
    });
    await axeCheck(page, 'application page with usage');
    await signOut(page);

    // The publisher's Traffic tab: what the gateway answered — the browser's one CORS preflight (204,
    // cached for the later calls), the three calls and the 401 — and the charts.
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto(`/publisher/apis/${apiId}/traffic`);
    await eventually(page, async () => {
      await expect(page.getByTestId('total-Requests')).toHaveText('5', { timeout: 1000 });
    });
    await expect(page.getByTestId('total-2xx')).toHaveText('4');
    await expect(page.getByTestId('total-401')).toHaveText('1');
    await expect(page.getByTestId('total-Throttled (429)')).toHaveText('0');
    await expect(page.getByTestId('total-p50')).toHaveText(/\d ms$/);
    await expect(page.getByTestId('gateway-reads')).toContainText('Local: 1 gateway replica read');
    for (const chart of ['Requests per minute', 'Errors', 'Latency']) await expect(page.getByRole('region', { name: chart }).locator('svg').first()).toBeVisible();
    // The same figures over a day and a week (from the minutes and the hours).
    await page.getByRole('link', { name: 'Last 7 days' }).click();
    await expect(page).toHaveURL(/range=week/);
    await expect(page.getByTestId('total-Requests')).toHaveText('5');

    // The API list: a sparkline of the last 24 hours instead of the marker.
    await page.goto('/publisher');
    await expect(page.getByRole('img', { name: `${API.name}: 5 requests in the last 24 hours` })).toBeVisible();
    await expect(page.getByTestId(`no-traffic-${API.name}`)).toHaveCount(0);
    await page.goto(`/publisher/apis/${apiId}/traffic?range=week`);

    // The charts pass axe in both colour schemes.
    await expect(page.getByTestId('traffic-charts')).toBeVisible();
    await axeCheck(page, 'Traffic tab');
    await signOut(page);

    // The admin's Traffic page: the Local cluster with its gateway up and at least these calls in the
    // last hour (other specs' gateways may share the cluster when the whole suite runs).
    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.getByRole('tablist', { name: 'Admin navigation' }).getByRole('tab', { name: 'Traffic' }).click();
    await expect(page).toHaveURL(/\/admin\/traffic$/);
    const local = page.getByTestId('cluster-traffic-local');
    await eventually(page, async () => {
      await expect(local.getByText(/^[1-9]\d* up$/)).toBeVisible({ timeout: 1000 });
    });
    const lastHour = Number((await local.getByTestId('requests').innerText()).split('/')[0]!.replace(/[^\d]/g, ''));
    expect(lastHour).toBeGreaterThanOrEqual(5);
    await expect(local).toContainText('Local');
    await axeCheck(page, 'admin Traffic page');
  });
});
