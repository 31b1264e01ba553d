import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { collectCspViolations } from './support/csp';
import { setDeveloperSignUp, signIn, signInAfterSignUp, signOut, signUp } from './support/session';

test.describe('sign-in and roles', () => {
  test('each seeded role lands on its own surface', async ({ page }) => {
    const expected = [
      [seededAccounts.admin, 'Admin', /\/admin\/users$/],
      [seededAccounts.publisher, 'Publisher', /\/publisher$/],
      [seededAccounts.developer, 'Developer Portal', /\/portal$/],
    ] as const;
    for (const [account, surface, url] of expected) {
      await signIn(page, account.identifier, account.password);
      await expect(page).toHaveURL(url);
      await expect(page.getByTestId('surface-name')).toHaveText(surface);
      await signOut(page);
    }
  });

  test('a wrong password says so without telling whether the user exists', async ({ page }) => {
    for (const identifier of ['publisher', 'no-such-user']) {
      await page.goto('/signin');
      await page.getByRole('textbox', { name: 'Username', exact: true }).fill(identifier);
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill('definitely-wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByText('Wrong username or password.')).toBeVisible();
    }
  });

  test('a forged X-Forwarded-For buys no fresh sign-in budget, and the wait is stated', async ({ browser }) => {
    // Each attempt claims another client address; the app counts the socket's address instead.
    // After 5 free failures the waits double from 1 s, so within a few more attempts (each takes
    // a second or two here) one must be refused; with a fresh budget per claimed address none would be.
    const messages: string[] = [];
    for (let i = 0; i < 10 && !messages.at(-1)?.startsWith('Too many'); i++) {
      const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': `203.0.113.${i + 1}` } });
      const page = await context.newPage();
      await page.goto('/signin');
      await page.getByRole('textbox', { name: 'Username', exact: true }).fill('xff-probe');
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill(`guess-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByText(/^(Wrong username or password\.|Too many failed sign-ins\. Try again in \d+ seconds?\.)$/);
      await expect(alert).toBeVisible();
      messages.push((await alert.textContent())!);
      await context.close();
    }
    expect(messages.slice(0, 5)).toEqual(Array(5).fill('Wrong username or password.'));
    expect(messages.at(-1)).toMatch(/^Too many failed sign-ins\. Try again in \d+ seconds?\.$/);
  });

  test('a subscriber is refused publisher and admin pages by the server', async ({ page }) => {
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    for (const path of ['/publisher', '/admin/users', '/admin/tenants', '/admin/settings']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
    }
    // and the navigation does not offer them
    await page.goto('/portal');
    await expect(page.getByRole('link', { name: 'Publisher' })).toHaveCount(0);
  });

  test('a publisher is refused admin pages', async ({ page }) => {
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
    const response = await page.goto('/admin/users');
    expect(response?.status()).toBe(403);
  });

  test('signed-out visitors are sent to sign in and come back after', async ({ page }) => {
    await page.goto('/publisher');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fpublisher/);
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill(seededAccounts.publisher.identifier);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(seededAccounts.publisher.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/publisher$/);
  });
});

test.describe('developer sign-up', () => {
  // Runs first in this group: a fresh portal must not take sign-ups before an admin opens them.
  test('the portal takes no sign-ups until an admin opens them', async ({ page, browser }) => {
    await page.goto('/signup?tenant=carbon.super');
    await expect(page.getByText('Sign-up is closed on this portal.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create account' })).toHaveCount(0);
    await setDeveloperSignUp(browser, true);
    await page.reload();
    await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
    // Someone who has an account already finds the way back.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('shows field errors for malformed input and keeps what was typed', async ({ page, browser }) => {
    await setDeveloperSignUp(browser, true);
    await page.goto('/signup');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('x');
    await page.getByRole('textbox', { name: 'Your name', exact: true }).fill('Dana Developer');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
    await page.getByRole('textbox', { name: 'Repeat password', exact: true }).fill('different');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText('Use at least 2 characters.')).toBeVisible();
    await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Your name', exact: true })).toHaveValue('Dana Developer');
  });

  test('a developer signs up, then signs in on the portal', async ({ page, browser }) => {
    await setDeveloperSignUp(browser, true);
    await signUp(page, { username: 'dana', displayName: 'Dana Developer', password: 'dana-password-1' });
    await expect(page.getByRole('textbox', { name: 'Username', exact: true })).toHaveValue('dana');
    await signInAfterSignUp(page, 'dana-password-1');
    await expect(page).toHaveURL(/\/portal$/);
    await page.getByRole('button', { name: 'Account menu' }).click();
    await expect(page.getByTestId('signed-in-as')).toHaveText('dana');
  });

  test('sign-up answers a taken name as it answers a free one, and leaves that account alone', async ({ page, browser }) => {
    await setDeveloperSignUp(browser, true);
    await signUp(page, { username: 'fresh-name', displayName: 'Mallory', password: 'mallory-password-1' });
    const freeAnswer = (await page.getByTestId('signed-up-notice').textContent())!.replaceAll('fresh-name', 'NAME');
    await signUp(page, { username: seededAccounts.developer.identifier, displayName: 'Mallory', password: 'mallory-password-1' });
    const takenAnswer = (await page.getByTestId('signed-up-notice').textContent())!.replaceAll(seededAccounts.developer.identifier, 'NAME');
    expect(takenAnswer).toBe(freeAnswer);
    // The taken account did not get the newcomer's password; its owner's still works.
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('mallory-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Wrong username or password.')).toBeVisible();
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
  });
});

test.describe('tenants', () => {
  test("a tenant's users are invisible to another tenant", async ({ page }) => {
    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.goto('/admin/tenants');
    await page.getByRole('textbox', { name: 'Domain', exact: true }).fill('example.com');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Example Inc.');
    await page.getByRole('textbox', { name: "First admin's username" }).fill('boss');
    await page.getByRole('textbox', { name: "First admin's password" }).fill('boss-password-1');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await expect(page.getByText('Created example.com.')).toBeVisible();
    await expect(page.getByRole('cell', { name: 'example.com' })).toBeVisible();
    await signOut(page);

    await signIn(page, 'boss@example.com', 'boss-password-1');
    await page.goto('/admin/users');
    await expect(page.getByTestId('user-row-boss')).toBeVisible();
    await expect(page.getByTestId(/^user-row-/)).toHaveCount(1);
    // a tenant admin cannot manage tenants
    expect((await page.goto('/admin/tenants'))?.status()).toBe(403);
    // the portal shows their own tenant only
    await page.goto('/portal?tenant=carbon.super');
    await expect(page.getByTestId('portal-tenant')).toContainText('example.com');
    await signOut(page);

    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.goto('/admin/users');
    await expect(page.getByTestId('user-row-admin')).toBeVisible();
    await expect(page.getByTestId('user-row-boss')).toHaveCount(0);
  });

  test('an admin adds a user and changes their roles', async ({ page }) => {
    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.goto('/admin/users');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('erin');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Erin');
    await page.getByRole('textbox', { name: 'Initial password', exact: true }).fill('erin-password-1');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByText('Created erin.')).toBeVisible();
    const publisherRole = page.getByLabel('publisher role for erin');
    await publisherRole.check();
    await expect(publisherRole).toBeChecked();
    await page.reload();
    await expect(page.getByLabel('publisher role for erin')).toBeChecked();
  });

  test('an admin can close developer sign-up', async ({ page, browser }) => {
    await setDeveloperSignUp(browser, true);
    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.goto('/admin/settings');
    await page.getByRole('button', { name: 'Close sign-up' }).click();
    await expect(page.getByTestId('self-signup-state')).toContainText('Closed');
    const visitor = await browser.newPage();
    await visitor.goto('/signup?tenant=carbon.super');
    await expect(visitor.getByText('Sign-up is closed on this portal.')).toBeVisible();
    await page.getByRole('button', { name: 'Open sign-up' }).click();
    await expect(page.getByTestId('self-signup-state')).toContainText('Open');
  });
});

test.describe('security headers', () => {
  test('pages carry a fresh-nonce CSP that stops injected scripts, and the fixed headers', async ({ page, request }) => {
    const [first, second] = [await request.get('/signin'), await request.get('/signin')];
    const nonceOf = (policy: string) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    const policy = first.headers()['content-security-policy']!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'(;|$)/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("connect-src 'self';");
    expect(nonceOf(policy)).not.toBe(nonceOf(second.headers()['content-security-policy']!));
    // Next.js puts this response's nonce on its own scripts.
    expect(await first.text()).toContain(`nonce="${nonceOf(policy)}"`);
    expect(first.headers()).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'x-frame-options': 'DENY' });
    expect(first.headers()['permissions-policy']).toContain('camera=()');
    // Served over plain http here: no HSTS (browsers would ignore it anyway).
    expect(first.headers()).not.toHaveProperty('strict-transport-security');

    // Markup injected into the page, as a stored XSS would be, does not run; the page's own scripts do.
    const violations = collectCspViolations(page);
    await page.route('**/signin', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      const body = (await response.text()).replace('</body>', '<script>window.__injected = true</script></body>');
      await route.fulfill({ response, body });
    });
    await page.goto('/signin');
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    await page.unroute('**/signin');
    await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  });
});

test('pages name an icon, and it is served', async ({ page, request }) => {
  await page.goto('/signin');
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(icon).toBeTruthy();
  const response = await request.get(icon!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('image/svg+xml');
});

test('health answers for load balancers', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect((await response.json()).database.ok).toBe(true);
});
