import { expect, type Page } from '@playwright/test';

export class ProcessesPage {
  constructor(private readonly page: Page) {}

  async openProcess(pid: number) {
    await this.page.goto(`/processes?pid=${pid}`);
    await expect(this.page.getByRole('heading', { name: `Process ${pid}` })).toBeVisible();
  }

  namespaceRow(type: string) {
    return this.page.getByTestId('process-namespaces').getByRole('listitem').filter({ hasText: new RegExp(`^${type}`) });
  }
}
