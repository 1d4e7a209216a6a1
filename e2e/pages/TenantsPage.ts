import { expect, type Locator, type Page } from '@playwright/test';

interface SliceFields {
  name?: string;
  displayName?: string;
  cpus?: string;
  memory?: string;
}

export class TenantsPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/tenants');
    await expect(this.page.getByRole('heading', { name: 'Tenants', exact: true })).toBeVisible();
  }

  card(name: string): Locator {
    return this.page.getByTestId(`tenant-${name}`);
  }

  async startNew(fields: SliceFields) {
    await this.page.getByRole('button', { name: 'New tenant' }).first().click();
    await this.fill(fields);
  }

  async fill(fields: SliceFields) {
    const field = (label: string) => this.page.getByLabel(label, { exact: true });
    if (fields.name !== undefined) await field('Name').fill(fields.name);
    if (fields.displayName !== undefined) await field('Display name').fill(fields.displayName);
    if (fields.cpus !== undefined) await field('CPUs').fill(fields.cpus);
    if (fields.memory !== undefined) await field('Memory max').fill(fields.memory);
  }

  async save() {
    await this.page.getByRole('button', { name: /^(Create tenant|Save slice)$/ }).click();
    await expect(this.page.getByRole('button', { name: /^(Create tenant|Save slice)$/ })).toHaveCount(0);
  }

  async create(fields: SliceFields) {
    await this.startNew(fields);
    await this.save();
    await expect(this.card(fields.name!)).toBeVisible();
  }
}

export class UsersPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/users');
    await expect(this.page.getByRole('heading', { name: 'Users' })).toBeVisible();
  }

  row(name: string): Locator {
    return this.page.getByRole('table', { name: 'users' }).getByRole('row').filter({ hasText: name });
  }

  async create(user: { name: string; role: 'admin' | 'member' | 'viewer'; tenant?: string; password: string }) {
    await this.page.getByLabel('Name', { exact: true }).fill(user.name);
    await this.page.getByLabel('Role').selectOption(user.role);
    await this.page.getByLabel('Tenant').selectOption(user.tenant ?? '');
    await this.page.getByLabel('Password').fill(user.password);
    await this.page.getByRole('button', { name: 'Create user' }).click();
    await expect(this.row(user.name)).toBeVisible();
  }
}
