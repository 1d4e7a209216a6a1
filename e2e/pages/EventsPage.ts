import { expect, type Page } from '@playwright/test';

export class EventsPage {
  constructor(private readonly page: Page) {}

  async open(type?: string) {
    await this.page.goto(type ? `/events?type=${encodeURIComponent(type)}` : '/events');
    await expect(this.page.getByRole('heading', { name: 'Events', exact: true })).toBeVisible();
  }

  async filterCgroup(ref: string) {
    await this.page.getByLabel('Cgroup').fill(ref);
  }

  item(type: string, ref: string) {
    return this.page.getByRole('list', { name: 'events' }).locator(`li[data-event-type="${type}"][data-ref="${ref}"]`);
  }
}
