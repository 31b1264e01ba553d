import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { collectCspViolations } from './support/csp';
import { createApplicationWithKeys, executeListPets, generateTokenOnApplicationPage, liveResponse, subscribeOnOverview } from './support/portal';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION } from './support/publisher';
import { setDeveloperSignUp, signIn, signInAfterSignUp, signOut, signUp } from './support/session';

const API = { name: 'PortalPets', version: '1.0.0', context: '/portalpets' };
const LOCAL_GATEWAY_URL = `http://localhost:8243${API.context}/${API.version}`;

test.describe('developer portal', () => {
  test('a developer finds a published API, sees its gateway, subscribes, gets a token and calls it from Try Out', async ({ page, browser }) => {
    test.setTimeout(180_000);

    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const apiId = await publishApiFromDefinition(page, { ...API, endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'] });
    await signOut(page);

    // Sign up as a new developer (sign-up is closed until the admin opens it), then sign in.
    await setDeveloperSignUp(browser, true);
    await signUp(page, { username: 'pia', displayName: 'Pia Developer', password: 'pia-password-1' });
    await signInAfterSignUp(page, 'pia-password-1');
    await expect(page).toHaveURL(/\/portal$/);

    // The catalog lists it and finds it by search.
    await page.getByRole('searchbox', { name: 'Search APIs' }).fill('portalpet');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/q=portalpet/);
    const card = page.getByTestId(`api-card-${API.name}`);
    await expect(card).toContainText(`${API.version} · ${API.context}`);
    await card.getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/portal/apis/${apiId}$`));

    // Overview: the Local cluster's gateway, with the seed's AccessURL + context + version, ready.
    const local = page.getByTestId('environment-local');
    await expect(local.getByTestId('access-url')).toHaveText(LOCAL_GATEWAY_URL);
    await expect(local.getByTestId('environment-status')).toHaveText('ready');
    await expect(page.getByRole('list', { name: 'Operations' })).toContainText('List pets');
    // The definition downloads as YAML, without the backend's address.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'YAML' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.openapi\.yaml$/);
    const yamlText = await readFile((await download.path())!, 'utf8');
    expect(yamlText).toContain('/pets:');
    expect(yamlText).not.toContain('localhost:8090');

    // An application with keys and a token; the token is issued before subscribing, so it cannot call the API.
    await createApplicationWithKeys(page, 'Pet Shop');
    await generateTokenOnApplicationPage(page);

    // Subscribe it from the overview.
    await page.goto(`/portal/apis/${apiId}`);
    await subscribeOnOverview(page, 'Pet Shop');
    await expect(page.getByText('Subscribed at the')).toBeVisible();

    // A second application, never subscribed: its token must be refused by the gateway.
    await createApplicationWithKeys(page, 'Not Subscribed');
    const unsubscribedToken = await generateTokenOnApplicationPage(page);

    // Try Out: pick the gateway, get a token for the subscribed application, call GET /pets.
    // All of it under the Content-Security-Policy, which must not get in the way.
    const cspViolations = collectCspViolations(page);
    await page.goto(`/portal/apis/${apiId}`);
    await page.getByRole('link', { name: 'Try Out' }).click();
    await page.getByRole('combobox', { name: 'Gateway' }).click();
    await page.getByRole('option', { name: new RegExp(`Local — ${LOCAL_GATEWAY_URL}`) }).click();
    await expect(page.getByText(`Requests go from this browser to ${LOCAL_GATEWAY_URL}`)).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Subscribed application' })).toHaveText('Pet Shop');
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(page.getByRole('textbox', { name: 'Access token' })).not.toHaveValue('');
    // The gateway picker is the one server choice: Swagger UI's own list is there (it sends the calls) but hidden.
    await expect(page.locator('.servers select')).toHaveValue(LOCAL_GATEWAY_URL);
    await expect(page.locator('.servers select')).toBeHidden();

    await executeListPets(page);
    const response = liveResponse(page);
    await expect(response.status).toHaveText(/^200\b/, { timeout: 20_000 });
    await expect(response.body).toContainText('Rex');
    await expect(page.getByTestId('gateway-unreachable')).toBeHidden();

    // The same call with the unsubscribed application's token is refused.
    await page.getByRole('textbox', { name: 'Access token' }).fill(unsubscribedToken);
    await executeListPets(page);
    await expect(response.status).toHaveText(/^403\b/, { timeout: 20_000 });
    await expect(response.body).toContainText('not_subscribed');
    expect(cspViolations).toEqual([]);

    // A gateway that does not answer gets a plain message naming the URL tried.
    await page.route('http://localhost:8243/**', (route) => route.abort('connectionrefused'));
    await executeListPets(page);
    await expect(page.getByTestId('gateway-unreachable')).toContainText(`${LOCAL_GATEWAY_URL}/pets`);
    await page.unroute('http://localhost:8243/**');

    // The publisher sees the subscriber and how long a block takes.
    await signOut(page);
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto(`/publisher/apis/${apiId}/subscriptions`);
    const row = page.getByTestId('subscriber-row-Pet Shop');
    await expect(row).toContainText('pia');
    await expect(row).toContainText('1 hour');
    await row.getByRole('button', { name: 'Block Pet Shop' }).click();
    await expect(page.getByText('Blocked Pet Shop.')).toBeVisible();
    await expect(row).toContainText('Blocked');

    // A token issued after the block no longer carries the API: the gateway refuses it.
    await signOut(page);
    await signIn(page, 'pia', 'pia-password-1');
    await page.goto(`/portal/apis/${apiId}/try-out`);
    await expect(page.getByRole('combobox', { name: 'Subscribed application' })).toHaveText('Pet Shop (blocked)');
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(page.getByRole('textbox', { name: 'Access token' })).not.toHaveValue('');
    await executeListPets(page);
    await expect(liveResponse(page).status).toHaveText(/^403\b/, { timeout: 20_000 });
  });

  test('a private API opens to a developer only once the publisher approves the subscription', async ({ page }) => {
    test.setTimeout(180_000);
    const vault = { name: 'VaultPets', version: '1.0.0', context: '/vaultpets' };
    const vaultUrl = `http://localhost:8243${vault.context}/${vault.version}`;

    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const apiId = await publishApiFromDefinition(page, { ...vault, endpoint: SAMPLE_BACKEND_URL, definitionPath: SAMPLE_DEFINITION, clusters: ['Local'], visibility: 'private' });
    await signOut(page);

    // Visitors do not see it at all.
    await page.goto('/portal?tenant=carbon.super');
    await expect(page.getByTestId('api-card-VaultPets')).toHaveCount(0);
    expect((await page.goto(`/portal/apis/${apiId}?tenant=carbon.super`))?.status()).toBe(404);

    // A developer of the tenant sees that it exists, but not its documentation, gateways or Try Out.
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    await page.goto('/portal');
    await expect(page.getByTestId('api-card-VaultPets')).toContainText('Private');
    await page.goto(`/portal/apis/${apiId}`);
    await expect(page.getByTestId('private-api-notice')).toBeVisible();
    await expect(page.getByTestId('environment-local')).toHaveCount(0);
    await expect(page.getByRole('list', { name: 'Operations' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Try Out' })).toHaveCount(0);
    await page.goto(`/portal/apis/${apiId}/try-out`);
    await expect(page.getByTestId('private-api-notice')).toBeVisible();
    await expect(page.getByTestId('try-out-console')).toHaveCount(0);

    // The developer asks for a subscription; until it is approved the gateway refuses the application's tokens.
    await createApplicationWithKeys(page, 'Vault App');
    await page.goto(`/portal/apis/${apiId}`);
    await subscribeOnOverview(page, 'Vault App', 'Request subscription');
    await expect(page.getByText('Requested at the')).toBeVisible();
    await expect(page.getByTestId('subscription-Vault App')).toContainText('Waiting for approval');
    await page.getByRole('link', { name: 'Vault App' }).click();
    const pendingToken = await generateTokenOnApplicationPage(page);
    const refused = await page.request.get(`${vaultUrl}/pets`, { headers: { Authorization: `Bearer ${pendingToken}` } });
    expect(refused.status()).toBe(403);

    // The publisher approves it on the API's Subscriptions tab.
    await signOut(page);
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    await page.goto(`/publisher/apis/${apiId}/subscriptions`);
    await expect(page.getByTestId('waiting-requests')).toContainText('One subscription request waits');
    const row = page.getByTestId('subscriber-row-Vault App');
    await expect(row).toContainText('Waiting for approval');
    await row.getByRole('button', { name: 'Approve Vault App' }).click();
    await expect(page.getByText('Approved Vault App.')).toBeVisible();
    await expect(row).toContainText('Active');

    // Now the developer's next token calls it, and the overview opens.
    await signOut(page);
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    await page.goto('/portal/applications');
    await page.getByRole('link', { name: 'Vault App' }).click();
    const approvedToken = await generateTokenOnApplicationPage(page);
    const answered = await page.request.get(`${vaultUrl}/pets`, { headers: { Authorization: `Bearer ${approvedToken}` } });
    expect(answered.status()).toBe(200);
    await page.goto(`/portal/apis/${apiId}`);
    await expect(page.getByTestId('private-api-notice')).toHaveCount(0);
    await expect(page.getByTestId('environment-local').getByTestId('access-url')).toHaveText(vaultUrl);
    await expect(page.getByRole('link', { name: 'Try Out' })).toBeVisible();
  });

  test('visitors browse public APIs but are asked to sign in for applications', async ({ page }) => {
    await page.goto('/portal');
    await expect(page.getByRole('heading', { level: 1, name: 'APIs' })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search APIs' }).fill('no-such-api-anywhere');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByText('No API matches “no-such-api-anywhere”')).toBeVisible();
    await page.goto('/portal/applications');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fportal%2Fapplications/);
  });
});
