import { spawn, type ChildProcess } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { createApplicationWithKeys, executeListPets, generateSandboxKeys, liveResponse, subscribeOnOverview } from './support/portal';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION } from './support/publisher';
import { signIn, signOut } from './support/session';

// WSO2's production/sandbox pair, end to end: the publisher gives an API a sandbox endpoint (a
// second sample backend, holding a pet the production one does not), a developer generates
// sandbox keys, and Try Out reaches the sandbox backend with them and the production one without.

const SANDBOX_PORT = 8091;
const SANDBOX_BACKEND_URL = `http://127.0.0.1:${SANDBOX_PORT}`;
const SANDBOX_ONLY_PET = 'Sandy the test gecko';
const SANDBOXED = { name: 'SandboxedPets', version: '1.0.0', context: '/sandboxedpets' };
const LIVE_ONLY = { name: 'LiveOnlyPets', version: '1.0.0', context: '/liveonlypets' };

let sandboxBackend: ChildProcess;

test.beforeAll(async () => {
  sandboxBackend = spawn(process.execPath, ['tools/sample-backend/server.mjs'], { env: { ...process.env, PORT: String(SANDBOX_PORT) }, stdio: 'ignore' });
  await expect.poll(() => fetch(`${SANDBOX_BACKEND_URL}/pets`).then((r) => r.status, () => 0), { timeout: 15_000 }).toBe(200);
  // The pet that tells the sandbox backend's answers apart: added there only, straight to it.
  const added = await fetch(`${SANDBOX_BACKEND_URL}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: SANDBOX_ONLY_PET }) });
  expect(added.status).toBe(201);
});

test.afterAll(() => {
  sandboxBackend?.kill('SIGTERM');
});

/** Serious or critical axe findings in light and dark mode; Swagger UI's own nested buttons are its markup, not ours. */
async function seriousAxeFindings(page: import('@playwright/test').Page): Promise<string[]> {
  const findings: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).exclude('.opblock-summary-control').analyze();
    findings.push(...results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${colorScheme}: ${v.id}: ${v.help}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}

async function pickKeys(page: import('@playwright/test').Page, option: 'Production keys' | 'Sandbox keys') {
  await page.getByRole('combobox', { name: 'Keys' }).click();
  await page.getByRole('option', { name: option }).click();
  await expect(page.getByRole('combobox', { name: 'Keys' })).toHaveText(option);
}

test('a developer generates sandbox keys and Try Out reaches the sandbox backend with them', async ({ page }) => {
  test.setTimeout(240_000);

  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const sandboxedId = await publishApiFromDefinition(page, { ...SANDBOXED, endpoint: SAMPLE_BACKEND_URL, sandboxEndpoint: SANDBOX_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
  // The edit form shows the sandbox endpoint as saved.
  await page.goto(`/publisher/apis/${sandboxedId}`);
  await expect(page.getByRole('textbox', { name: 'Sandbox endpoint URL(s)' })).toHaveValue(SANDBOX_BACKEND_URL);
  const liveOnlyId = await publishApiFromDefinition(page, { ...LIVE_ONLY, endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
  await signOut(page);

  await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
  const production = await createApplicationWithKeys(page, 'Sandbox Tester');
  const sandbox = await generateSandboxKeys(page);
  expect(sandbox.clientId).not.toBe(production.clientId);
  await expect(page.getByRole('heading', { level: 2, name: 'Sandbox access token' })).toBeVisible();
  // The sandbox tab passes axe in both colour schemes.
  expect(await seriousAxeFindings(page)).toEqual([]);
  // Production keys are still there, unchanged, on their own tab.
  await page.getByRole('tab', { name: 'Production keys' }).click();
  await expect(page.getByTestId('consumer-key')).toHaveValue(production.clientId);

  for (const apiId of [sandboxedId, liveOnlyId]) {
    await page.goto(`/portal/apis/${apiId}`);
    await subscribeOnOverview(page, 'Sandbox Tester');
  }

  // Sandbox keys: the call reaches the sandbox backend (the pet only it has).
  await page.goto(`/portal/apis/${sandboxedId}/try-out`);
  await expect(page.getByText("Production tokens reach the API's production endpoint.")).toBeVisible();
  await pickKeys(page, 'Sandbox keys');
  await expect(page.getByText("Sandbox tokens reach the API's sandbox endpoint.")).toBeVisible();
  // The key picker passes axe too (Swagger UI's own nested operation buttons aside).
  expect(await seriousAxeFindings(page)).toEqual([]);
  await page.getByRole('button', { name: 'Generate token' }).click();
  const tokenField = page.getByRole('textbox', { name: 'Access token' });
  await expect(tokenField).not.toHaveValue('');
  const sandboxToken = await tokenField.inputValue();
  expect(JSON.parse(Buffer.from(sandboxToken.split('.')[1]!, 'base64url').toString())).toMatchObject({ client_id: sandbox.clientId, keytype: 'SANDBOX' });
  await executeListPets(page);
  const response = liveResponse(page);
  await expect(response.status).toHaveText(/^200\b/, { timeout: 20_000 });
  await expect(response.body).toContainText(SANDBOX_ONLY_PET);

  // Production keys: the same call reaches the production backend, which has no such pet.
  await pickKeys(page, 'Production keys');
  await expect(tokenField).toHaveValue('');
  await page.getByRole('button', { name: 'Generate token' }).click();
  await expect(tokenField).not.toHaveValue('');
  await executeListPets(page);
  await expect(response.body).toContainText('Rex', { timeout: 20_000 });
  await expect(response.body).not.toContainText(SANDBOX_ONLY_PET);
  await expect(response.status).toHaveText(/^200\b/);

  // An API without a sandbox endpoint says so, offers no sandbox keys, and its gateway refuses a sandbox token with a hint.
  await page.goto(`/portal/apis/${liveOnlyId}/try-out`);
  await expect(page.getByText('This API has no sandbox endpoint: only production keys can call it.')).toBeVisible();
  await page.getByRole('combobox', { name: 'Keys' }).click();
  await expect(page.getByRole('option', { name: 'Sandbox keys (no sandbox endpoint)' })).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Escape');
  // The sandbox token was issued after both subscriptions: it grants this API too, but there is no sandbox endpoint to reach.
  await tokenField.fill(sandboxToken);
  await executeListPets(page);
  const refused = liveResponse(page);
  await expect(refused.status).toHaveText(/^403\b/, { timeout: 20_000 });
  await expect(refused.body).toContainText('sandbox_endpoint_missing');
  await expect(refused.body).toContainText('has no sandbox endpoint');
});
