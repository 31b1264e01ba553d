import type { Page } from '@playwright/test';

/** Collects what the browser reports as Content-Security-Policy violations on this page from now on. */
export function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}
