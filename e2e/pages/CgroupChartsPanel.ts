import type { Page } from '@playwright/test';

/** The live charts card of a cgroup (cgroup detail, overview). */
export class CgroupChartsPanel {
  constructor(
    private readonly page: Page,
    private readonly cgroupRef: string,
  ) {}

  root() {
    return this.page.locator(`[data-testid="cgroup-charts"][data-ref="${this.cgroupRef}"]`);
  }

  chart(kind: 'cpu' | 'memory' | 'io' | 'pids' | 'psi') {
    return this.root().getByTestId(`chart-${kind}`);
  }

  /** The newest value of a line of a chart as a number (NaN while none). */
  async lastValue(kind: 'cpu' | 'memory' | 'io' | 'pids' | 'psi', key: string): Promise<number> {
    const text = (await this.chart(kind).getByTestId(`last-${key}`).textContent({ timeout: 5000 }).catch(() => null)) ?? '';
    return Number.parseFloat(text);
  }

  /** How many points the chart draws now. */
  async points(kind: 'cpu' | 'memory' | 'io' | 'pids' | 'psi'): Promise<number> {
    return Number(await this.chart(kind).locator('figure').getAttribute('data-points'));
  }

  async chooseWindow(label: string) {
    await this.root().locator('..').locator('..').getByRole('radio', { name: label }).click();
  }
}
