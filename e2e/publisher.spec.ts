import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION } from './support/publisher';
import { signIn } from './support/session';

const LOCAL_ACCESS_URL = 'http://localhost:8243';

test.describe('publisher on the Local cluster', () => {
  test('imports an OpenAPI file, publishes to Local, the gateway answers, blocking removes it', async ({ page, request }) => {
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const apiId = await publishApiFromDefinition(page, {
      name: 'PetStore',
      version: '1.0.0',
      context: '/petstore',
      endpoint: SAMPLE_BACKEND_URL,
      definitionPath: SAMPLE_DEFINITION,
      clusters: ['Local'],
    });
    const row = page.getByTestId('deployment-row-local');
    await expect(row).toContainText(`${LOCAL_ACCESS_URL}/petstore/1.0.0`);
    // The Environments tab says once what the cluster is and where its gateways answer.
    await page.goto(`/publisher/apis/${apiId}/environments`);
    await expect(page.getByRole('checkbox', { name: 'Local', exact: true })).toBeChecked();
    await expect(page.getByTestId('cluster-choice-local')).toContainText(`This machine · ${LOCAL_ACCESS_URL}`);
    await page.goto(`/publisher/apis/${apiId}/lifecycle`);
    // How the tiers' rate limits are enforced on this cluster is stated beside it.
    await expect(row.getByTestId('rate-limits')).toContainText("One gateway replica enforces each tier's full rate");

    // The dedicated gateway is really there: without a token it refuses, naming what it expected.
    const unauthenticated = await request.get(`${LOCAL_ACCESS_URL}/petstore/1.0.0/pets`);
    expect(unauthenticated.status()).toBe(401);
    expect(unauthenticated.headers()['www-authenticate']).toContain('Bearer');
    // and it routes only the definition's resources
    expect((await request.get(`${LOCAL_ACCESS_URL}/petstore/1.0.0/not-in-the-definition`)).status()).toBe(404);

    // The history records who changed what.
    await expect(page.getByRole('table', { name: 'Lifecycle history' })).toContainText('Created → Published');

    // Block: confirm, and the gateway is removed.
    await page.getByRole('button', { name: 'Block' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await expect(page.getByTestId('lifecycle-state')).toHaveText('Blocked');
    await expect(row.getByTestId('deployment-status')).toHaveText('not deployed', { timeout: 30_000 });
    expect((await request.get(`${LOCAL_ACCESS_URL}/petstore/1.0.0/pets`)).status()).toBe(404);

    // Re-Publish brings it back (the original created no gateway here).
    await page.getByRole('button', { name: 'Re-Publish' }).click();
    await expect(row.getByTestId('deployment-status')).toHaveText('ready', { timeout: 60_000 });
    expect((await request.get(`${LOCAL_ACCESS_URL}/petstore/1.0.0/pets`)).status()).toBe(401);

    // The list shows it with its state.
    await page.goto('/publisher?q=pet');
    await expect(page.getByRole('link', { name: 'PetStore' })).toBeVisible();
    expect(apiId).toMatch(/[0-9a-f-]{36}/);
  });

  test('a chosen definition fills name, version and context; what was typed stays', async ({ page }) => {
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto('/publisher/apis/new');
    await page.getByRole('tab', { name: 'Import a file' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('My Pets');
    await page.getByTestId('definition-file').setInputFiles(SAMPLE_DEFINITION);
    await expect(page.getByTestId('definition-upload-summary')).toContainText('checked', { timeout: 60_000 });
    await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('My Pets');
    await expect(page.getByRole('textbox', { name: 'Version', exact: true })).toHaveValue('1.0.0');
    // The sample's server has no path, so the context comes from its title.
    await expect(page.getByRole('textbox', { name: 'Context', exact: true })).toHaveValue('/petstore');
  });

  test('bad inputs on create get field errors', async ({ page }) => {
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto('/publisher/apis/new');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Bad');
    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('1.0');
    await page.getByRole('textbox', { name: 'Context', exact: true }).fill('/health');
    await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill('ftp://nope');
    await page.getByRole('button', { name: 'Create API' }).click();
    await expect(page.getByText('The gateway serves /health and /metrics itself')).toBeVisible();
    await expect(page.getByText('Each endpoint must be an http:// or https:// URL.')).toBeVisible();
  });
});
