import { expect, type Page } from '@playwright/test';

// The developer's steps in the portal, shared by the flows on Local and on a real cluster.

/** As a signed-in developer: a new application with production keys; the secret is shown once. Returns its credentials. */
export async function createApplicationWithKeys(page: Page, name: string): Promise<{ clientId: string; clientSecret: string }> {
  await page.goto('/portal/applications');
  await page.getByRole('textbox', { name: 'Application name' }).fill(name);
  await page.getByRole('button', { name: 'Create application' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

  await page.getByRole('button', { name: 'Generate keys' }).click();
  // The secret is shown once, in a dialog, and is gone from the page once the dialog closes.
  const dialog = page.getByRole('dialog', { name: 'Copy your consumer secret now' });
  const secret = await dialog.getByTestId('revealed-consumer-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await dialog.getByRole('button', { name: 'I have copied the secret' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('consumer-key')).not.toHaveValue('');
  expect(await page.content()).not.toContain(secret);
  return { clientId: await page.getByTestId('consumer-key').inputValue(), clientSecret: secret };
}

/** On an application's page with production keys: its sandbox keys too, on their own tab. Returns their consumer key. */
export async function generateSandboxKeys(page: Page): Promise<{ clientId: string; clientSecret: string }> {
  await page.getByRole('tab', { name: 'Sandbox keys' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Sandbox keys' })).toBeVisible();
  await page.getByRole('button', { name: 'Generate keys' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy your consumer secret now' });
  const secret = await dialog.getByTestId('revealed-consumer-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await dialog.getByRole('button', { name: 'I have copied the secret' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('consumer-key')).not.toHaveValue('');
  return { clientId: await page.getByTestId('consumer-key').inputValue(), clientSecret: secret };
}

/**
 * On an API's overview: subscribes the named application (the developer may have others, listed first) and waits
 * for it in the list of subscriptions. `button` is "Subscribe", or "Request subscription" where the publisher approves.
 */
export async function subscribeOnOverview(page: Page, applicationName: string, button = 'Subscribe'): Promise<void> {
  const application = page.getByRole('combobox', { name: 'Application', exact: true });
  if ((await application.textContent())?.trim() !== applicationName) {
    await application.click();
    await page.getByRole('option', { name: applicationName, exact: true }).click();
    await expect(application).toHaveText(applicationName);
  }
  await page.getByRole('button', { name: button, exact: true }).click();
  // The list comes with the re-rendered page, which a busy machine may take a while to send.
  await expect(page.getByTestId(`subscription-${applicationName}`)).toBeVisible({ timeout: 30_000 });
}

/** On an application's page: a new access token, as the page shows it. */
export async function generateTokenOnApplicationPage(page: Page): Promise<string> {
  await page.getByRole('button', { name: /Generate (access token|a new token)/ }).click();
  await expect(page.getByTestId('token-expiry')).toContainText('expires in');
  return page.getByTestId('access-token').inputValue();
}

/** In Try Out (Swagger UI): runs GET /pets. */
export async function executeListPets(page: Page): Promise<void> {
  const operation = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/pets"]') });
  if (!(await operation.getByRole('button', { name: 'Execute' }).isVisible())) {
    if (!(await operation.getByRole('button', { name: 'Try it out' }).isVisible())) await operation.locator('.opblock-summary').first().click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
  }
  await operation.getByRole('button', { name: 'Execute' }).click();
}

/** The status and body Swagger UI shows for the last GET /pets. */
export function liveResponse(page: Page) {
  const operation = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/pets"]') });
  const row = operation.locator('.live-responses-table tr.response');
  return { status: row.locator('td.response-col_status'), body: row.locator('td.response-col_description') };
}
