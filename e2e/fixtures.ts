import { test as base, expect, type Page } from '@playwright/test';
import { LoginPage } from './pages/LoginPage';
import { readState, type E2EState } from './server';

// Playwright hands each fixture a function to give its value; named `provide` here (not
// Playwright's usual `use`) so React's hook rules do not mistake it for a hook.
export const test = base.extend<{ server: E2EState; adminPage: Page }>({
  server: async ({}, provide) => provide(readState()),
  // The server listens on a port chosen at setup: pages resolve against it.
  baseURL: async ({ server }, provide) => provide(server.url),
  /** A page logged in as the admin through the login form. */
  adminPage: async ({ page, server }, provide) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.logIn('admin', server.adminPassword);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await provide(page);
  },
});

export { expect };
