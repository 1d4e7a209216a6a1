import { expect, type Page } from '@playwright/test';

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto(next?: string) {
    await this.page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  }

  async logIn(name: string, password: string) {
    await this.page.getByLabel('User').fill(name);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
  }

  async expectError(text: RegExp | string) {
    await expect(this.page.getByRole('alert').filter({ hasText: text })).toBeVisible();
  }
}
