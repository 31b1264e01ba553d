import { expect, type Browser, type Page } from '@playwright/test';
import { seededAccounts } from './accounts';

/** Signs in through the real form, the way a person does. */
export async function signIn(page: Page, identifier: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(identifier);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
}

/** As the seeded admin, in a context of its own: opens or closes developer sign-up on the super tenant's portal. */
export async function setDeveloperSignUp(browser: Browser, open: boolean): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
  await page.goto('/admin/settings');
  const state = page.getByTestId('self-signup-state');
  const wanted = open ? 'Open' : 'Closed';
  if (!(await state.textContent())?.startsWith(wanted)) {
    await page.getByRole('button', { name: open ? 'Open sign-up' : 'Close sign-up' }).click();
    await expect(state).toContainText(wanted);
  }
  await context.close();
}

/** Fills the sign-up form; the app then always asks to sign in, whether the name was free or not. */
export async function signUp(page: Page, account: { username: string; displayName: string; password: string }): Promise<void> {
  await page.goto('/signup?tenant=carbon.super');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(account.username);
  await page.getByRole('textbox', { name: 'Your name', exact: true }).fill(account.displayName);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await page.getByRole('textbox', { name: 'Repeat password', exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('signed-up-notice')).toBeVisible();
}

/** After signUp: signs in from the sign-in page it leads to (the name is filled in already). */
export async function signInAfterSignUp(page: Page, password: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}
