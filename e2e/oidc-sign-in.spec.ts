import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startTestOpenIdProvider, type TestOpenIdProvider } from '../lib/test-support/oidc-test-provider';
import { seededAccounts } from './support/accounts';
import { signIn, signOut } from './support/session';

/**
 * A tenant signs its people in with its own OpenID provider, in Chromium, end to end: a real
 * node-oidc-provider on loopback (the e2e server's PRIVATEJET_OUTBOUND_ALLOW lets the app reach
 * it), configured on the tenant's admin page. Checks of expired, foreign-issuer and wrong-nonce
 * tokens run below the browser, in lib/auth/oidc/oidc-sign-in.int.test.ts.
 */

const TENANT = { domain: 'oidc.example', admin: 'boss', password: 'boss-password-123' };
const CLIENT = { clientId: 'privatejet-e2e', clientSecret: 'e2e-client-secret-never-shown' };
let op: TestOpenIdProvider;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  op = await startTestOpenIdProvider();
});
test.afterAll(async () => {
  await op?.stop();
});

/** The axe rules of e2e/accessibility.spec.ts, on the pages this feature adds in the states it adds (provider cards, sign-in buttons). */
async function expectNoSeriousAxeViolations(page: Page, path: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`), `${path} in ${colorScheme} mode`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** From the tenant's sign-in page through the provider's login form and back. */
async function signInWithProvider(page: Page, person: string): Promise<void> {
  // The provider remembers who signed in there (its cookies, on this same host): forget them, so it asks who this is.
  await page.context().clearCookies();
  await page.goto(`/signin?tenant=${TENANT.domain}`);
  await page.getByRole('button', { name: 'Sign in with Example SSO' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the test provider' })).toBeVisible();
  await page.getByLabel('Username').fill(person);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('a tenant admin configures a provider; the secret never reaches the browser', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
  await page.goto('/admin/tenants');
  await page.getByRole('textbox', { name: 'Domain' }).fill(TENANT.domain);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('OIDC Example');
  await page.getByRole('textbox', { name: "First admin's username" }).fill(TENANT.admin);
  await page.getByLabel("First admin's password").fill(TENANT.password);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('cell', { name: TENANT.domain, exact: true })).toBeVisible();
  await signOut(page);

  await signIn(page, `${TENANT.admin}@${TENANT.domain}`, TENANT.password);
  await page.goto('/admin/sign-in');
  const form = page.getByRole('region', { name: 'Add an OpenID Connect provider' });
  await form.getByRole('textbox', { name: 'Button name' }).fill('Example SSO');
  await form.getByRole('textbox', { name: 'Issuer URL' }).fill('ftp://not-a-provider');
  await form.getByRole('textbox', { name: 'Client id' }).fill(CLIENT.clientId);
  await form.getByLabel('Client secret').fill(CLIENT.clientSecret);
  await form.getByRole('button', { name: 'Add provider' }).click();
  await expect(form.getByText('The issuer must use https (plain http only on this machine, for tests).')).toBeVisible();

  await form.getByRole('textbox', { name: 'Issuer URL' }).fill(op.issuer);
  await form.getByLabel('Client secret').fill(CLIENT.clientSecret);
  await form.getByRole('textbox', { name: 'Scopes' }).fill('openid profile email groups');
  await form.getByRole('textbox', { name: 'Role claim (optional)' }).fill('groups');
  await form.getByRole('textbox', { name: 'Role mappings (optional)' }).fill('pj-admins = admin\napi-team = publisher');
  await form.getByRole('textbox', { name: 'Allowed e-mail domains (optional)' }).fill('example.com');
  await form.getByRole('button', { name: 'Add provider' }).click();

  const saved = page.getByRole('region', { name: 'Example SSO' });
  await expect(saved.getByTestId('oidc-redirect-uri')).toBeVisible();
  const redirectUri = (await saved.getByTestId('oidc-redirect-uri').locator('code').textContent())!;
  expect(redirectUri).toMatch(/\/api\/auth\/callback\/oidc-[0-9a-f-]{36}$/);
  await expect(saved.getByText('A secret is set. Leave empty to keep it.')).toBeVisible();
  await page.reload();
  expect(await page.content()).not.toContain(CLIENT.clientSecret);
  await op.setClient({ ...CLIENT, redirectUris: [redirectUri] });
  await signOut(page);
});

test('the admin page with a provider card and the tenant\'s sign-in page pass axe', async ({ page }) => {
  test.setTimeout(300_000);
  await expectNoSeriousAxeViolations(page, `/signin?tenant=${TENANT.domain}`);
  await signIn(page, `${TENANT.admin}@${TENANT.domain}`, TENANT.password);
  await expectNoSeriousAxeViolations(page, '/admin/sign-in');
});

test('a person signs in with the provider: created just in time, roles from the groups claim', async ({ page }) => {
  await signInWithProvider(page, 'bob');
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
  await expect(page).toHaveURL(/\/publisher/); // api-team → publisher: the publisher's home
  expect((await page.goto('/admin/users'))!.status()).toBe(403);
  await page.goto('/publisher'); // the refusal page has no account menu
  await signOut(page);

  await signInWithProvider(page, 'alice');
  await expect(page).toHaveURL(/\/admin\/users/); // pj-admins → admin
  // Both accounts were created just in time in this tenant, each with the role its groups map to.
  await expect(page.getByRole('checkbox', { name: 'publisher role for bob' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'admin role for bob' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'admin role for alice' })).toBeChecked();
  await signOut(page);
});

test('a person of a domain the tenant does not allow is refused with a clear message', async ({ page }) => {
  await signInWithProvider(page, 'carol');
  await expect(page.getByTestId('sign-in-notice')).toHaveText(/not of a domain this organisation lets sign in/);
  await expect(page.getByRole('button', { name: 'Account menu' })).toHaveCount(0);
});

test('a callback with another state is refused', async ({ page }) => {
  // The provider's redirect back is followed inside the browser, out of the route's reach; the
  // request that sends the browser to the provider is not: the provider then returns another state.
  const authorizationEndpoint = (url: URL) => url.origin === new URL(op.issuer).origin && url.pathname.endsWith('/auth');
  await page.route(authorizationEndpoint, async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('state', 'tampered-state');
    await route.continue({ url: url.toString() });
  });
  await signInWithProvider(page, 'alice');
  await expect(page.getByTestId('sign-in-notice')).toHaveText(/did not complete/);
  await expect(page.getByRole('button', { name: 'Account menu' })).toHaveCount(0);
});

test('provider unreachable: a clear message, and the local admin still signs in (break-glass)', async ({ page }) => {
  await signIn(page, `${TENANT.admin}@${TENANT.domain}`, TENANT.password);
  await page.goto('/admin/sign-in');
  await page.getByRole('button', { name: 'Local passwords for administrators only' }).click();
  await expect(page.getByTestId('local-passwords-state')).toHaveText(/^Administrators only/);
  await signOut(page);

  await op.stop();
  await page.goto(`/signin?tenant=${TENANT.domain}`);
  await page.getByRole('button', { name: 'Sign in with Example SSO' }).click();
  await expect(page.getByText('Example SSO cannot be reached right now.', { exact: false })).toBeVisible();

  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(`${TENANT.admin}@${TENANT.domain}`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(TENANT.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
});
