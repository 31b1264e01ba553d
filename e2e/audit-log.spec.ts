import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { seededAccounts } from './support/accounts';
import { signIn } from './support/session';

test.describe('audit log', () => {
  test('an admin makes a change, finds it in the log, filters it and downloads it as CSV, with no secret in it', async ({ page }) => {
    const password = `audit-pass-${Date.now()}`;
    await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
    await page.goto('/admin/users');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('audra');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Audra');
    await page.getByRole('textbox', { name: 'Initial password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByText('Created audra.')).toBeVisible();

    await page.getByRole('tab', { name: 'Audit log' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
    const records = page.getByRole('table', { name: 'Audit records' });
    const created = records.getByRole('row').filter({ hasText: 'user.create' }).filter({ hasText: 'audra' });
    await expect(created).toHaveCount(1);
    await expect(created).toContainText('password set');
    await expect(created).toContainText(seededAccounts.admin.identifier);
    await expect(created).toContainText('session');

    // Filtered to one action, only that action's records remain, and the address keeps the filter.
    await page.getByLabel('Action').selectOption('user.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/action=user\.create/);
    const actions = await records.getByTestId('audit-action').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['user.create']));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('at,tenant,user,userId,channel,token,clientAddress,action,objectType,objectId,outcome,reason,summary');
    expect(lines.slice(1).every((line) => line.includes(',user.create,'))).toBe(true);
    expect(csv).toContain('audra');
    expect(csv).not.toContain(password);
  });
});
