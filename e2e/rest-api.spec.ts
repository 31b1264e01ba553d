import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { seededAccounts } from './support/accounts';
import { SAMPLE_BACKEND_URL } from './support/publisher';
import { signIn } from './support/session';

/**
 * Publishing from a pipeline against the production build, over real HTTP: a person makes a
 * personal access token on the tokens page, the privatejet CLI (a separate process) applies an
 * API file and waits, the dedicated gateway answers, and the portal's own REST API is callable
 * from its Try Out.
 */

const API = { name: 'CiPets', version: '1.0.0', context: '/cipets' };
const GATEWAY_URL = `http://localhost:8243${API.context}/${API.version}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(baseURL: string, token: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['tools/cli/bin/privatejet.cjs', ...args],
      { env: { PATH: process.env.PATH, HOME: os.tmpdir(), PRIVATEJET_URL: baseURL, PRIVATEJET_TOKEN: token } as unknown as NodeJS.ProcessEnv, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function makeToken(page: Page, name: string, scopes: string[]): Promise<string> {
  await page.goto('/account/tokens');
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  for (const scope of scopes) await page.getByRole('checkbox', { name: new RegExp(`^${scope} `) }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy your token now' });
  const token = await dialog.getByTestId('revealed-personal-token').inputValue();
  expect(token).toMatch(/^pjp_/);
  await dialog.getByRole('button', { name: 'I have copied the token' }).click();
  await expect(dialog).toBeHidden();
  expect(await page.content()).not.toContain(token);
  return token;
}

test.describe('publishing from CI', () => {
  test('a token made in the portal lets the CLI publish an API file; the gateway answers; revoking stops the token', async ({ page, baseURL }) => {
    test.setTimeout(300_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'privatejet-e2e-cli-'));
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Personal access tokens' }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);
    // A publisher is offered publisher scopes only.
    await expect(page.getByRole('checkbox', { name: /^clusters:admin / })).toHaveCount(0);
    const token = await makeToken(page, 'ci-e2e', ['apis:read', 'apis:write', 'apis:publish']);
    await expect(page.getByTestId('personal-token-ci-e2e').getByTestId('token-last-used')).toHaveText('never');

    // The REST API over HTTP: no token is refused with a problem document; the token is known.
    const anonymous = await page.request.get('/api/v1/me');
    expect(anonymous.status()).toBe(401);
    expect(anonymous.headers()['content-type']).toBe('application/problem+json');
    const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ user: { username: 'publisher' }, token: { name: 'ci-e2e' } });
    const document = await (await page.request.get('/api/v1/openapi.json')).json();
    expect(document.openapi).toBe('3.1.0');

    // The sample API file, renamed, applied and waited on.
    const file = parseYaml(fs.readFileSync('tools/sample-backend/petstore.api.yaml', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    file.metadata.name = API.name;
    file.spec.context = API.context;
    file.spec.productionEndpoints = [SAMPLE_BACKEND_URL];
    file.spec.definition = { file: path.resolve('tools/sample-backend/openapi.yaml') };
    const apiFile = path.join(work, 'cipets.api.yaml');
    fs.writeFileSync(apiFile, stringifyYaml(file));
    const applied = await cli(baseURL!, token, ['apply', '-f', apiFile, '--wait']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`${API.name} 1.0.0: created`);
    expect(applied.stdout).toMatch(/local\s+ready\s+http:\/\/localhost:8243\/cipets\/1\.0\.0/);
    // The dedicated gateway answers (its own refusal: no token).
    const gateway = await page.request.get(`${GATEWAY_URL}/pets`);
    expect(gateway.status()).toBe(401);
    expect(await gateway.json()).toMatchObject({ error: { code: 'missing_credentials' } });

    // Again: no change. Export, then apply the export: no change either.
    expect((await cli(baseURL!, token, ['apply', '-f', apiFile])).stdout.trim()).toBe(`${API.name} 1.0.0: no change`);
    const exported = await cli(baseURL!, token, ['export', API.name, API.version]);
    const exportFile = path.join(work, 'exported.api.yaml');
    fs.writeFileSync(exportFile, exported.stdout);
    expect((await cli(baseURL!, token, ['apply', '-f', exportFile])).stdout.trim()).toBe(`${API.name} 1.0.0: no change`);

    // The publisher sees it, published on Local, with the change attributed to the token.
    await page.goto('/publisher');
    await page.getByRole('link', { name: API.name }).click();
    await page.getByRole('tab', { name: 'Lifecycle' }).click();
    await expect(page.getByTestId('lifecycle-state')).toHaveText('Published');
    await expect(page.getByRole('table', { name: 'Lifecycle history' })).toContainText('publisher (token "ci-e2e")');

    // The tokens page shows the use; revoking the token stops the next call.
    await page.goto('/account/tokens');
    const row = page.getByTestId('personal-token-ci-e2e');
    await expect(row.getByTestId('token-last-used')).not.toHaveText('never');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect(row.getByTestId('token-status')).toHaveText('revoked');
    const refused = await cli(baseURL!, token, ['get', 'apis']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was revoked');
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("the portal lists its own REST API, and its Try Out calls it with a personal access token", async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    const token = await makeToken(page, 'try-out', ['applications:read']);

    await page.goto('/portal');
    const card = page.getByTestId('api-card-PrivateJet REST API');
    await expect(card).toContainText('v1 · /api/v1');
    await card.getByRole('link').click();
    await expect(page.getByTestId('platform-api-authentication')).toContainText('personal access token');
    await expect(page.getByRole('list', { name: 'Operations' })).toContainText('/applications');
    await page.getByRole('link', { name: 'Try Out' }).click();
    await expect(page.getByTestId('personal-token-hint')).toBeVisible();
    await page.getByRole('textbox', { name: 'Access token' }).fill(token);

    const operation = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/me"]') });
    await operation.locator('.opblock-summary').first().click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    const response = operation.locator('.live-responses-table tr.response');
    await expect(response.locator('td.response-col_status')).toHaveText(/^200\b/, { timeout: 20_000 });
    await expect(response.locator('td.response-col_description')).toContainText('"username": "developer"');
  });
});
