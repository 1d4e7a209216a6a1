import { expect, type Page } from '@playwright/test';

export class CgroupsPage {
  constructor(private readonly page: Page) {}

  async open(path?: string) {
    await this.page.goto(path ? `/cgroups?path=${encodeURIComponent(path)}` : '/cgroups');
    await expect(this.page.getByRole('heading', { name: 'Cgroups' })).toBeVisible();
  }

  async search(text: string) {
    await this.page.getByLabel('Search cgroups').fill(text);
  }

  treeItem(name: string) {
    return this.page.getByRole('tree', { name: 'cgroups' }).locator('[data-row]', { hasText: name });
  }

  async select(name: string) {
    await this.treeItem(name).first().click();
    await expect(this.page.getByTestId('cgroup-path')).toContainText(name);
  }

  async openEditor() {
    await this.page.getByRole('button', { name: 'Edit limits' }).click();
    await expect(this.page.getByRole('heading', { name: 'Edit limits' })).toBeVisible();
  }

  field(label: string) {
    return this.page.getByLabel(label, { exact: true });
  }

  async save() {
    await this.page.getByRole('button', { name: 'Save limits' }).click();
  }
}
