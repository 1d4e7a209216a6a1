import { test as base, expect, type Page } from '@playwright/test';
import { LoginPage } from './pages/LoginPage';
import { readState, type E2EState } from './server';

export const test = base.extend<{ server: E2EState; adminPage: Page }>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => use(readState()),
  /** A page logged in as the admin through the login form. */
  adminPage: async ({ page, server }, use) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.logIn('admin', server.adminPassword);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await use(page);
  },
});

export { expect };
