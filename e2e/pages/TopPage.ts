import { expect, type Page } from '@playwright/test';

/** The live Top page (systemd-cgtop in the browser). */
export class TopPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/top');
    await expect(this.page.getByRole('heading', { name: 'Top', exact: true })).toBeVisible();
    await expect(this.page.getByRole('table', { name: 'cgroups by usage' })).toBeVisible();
  }

  async filter(text: string) {
    await this.page.getByLabel('Filter cgroups').fill(text);
  }

  async setDepth(depth: string) {
    await this.page.getByLabel('Depth').selectOption(depth);
  }

  row(ref: string) {
    return this.page.locator(`tr[data-ref="${ref}"]`);
  }

  /** The CPU % cell of a cgroup as a number (NaN while unknown). */
  async cpuPercent(ref: string): Promise<number> {
    const text = (await this.row(ref).getByTestId('top-cpuCores').textContent({ timeout: 5000 }).catch(() => null)) ?? '';
    return Number.parseFloat(text);
  }

  async openWhySlow(ref: string) {
    await this.row(ref).getByRole('button', { name: /Why is .* slow\?/ }).click();
    await expect(this.page.getByTestId('why-slow')).toBeVisible();
  }
}
