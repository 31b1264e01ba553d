import { expect, type Page } from '@playwright/test';

/** Signs in through the real form, the way a person does. */
export async function signIn(page: Page, identifier: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(identifier);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
}
