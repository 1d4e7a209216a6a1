import { expect, type Locator, type Page } from '@playwright/test';

/** The containers list. */
export class ContainersPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto('/containers');
    await expect(this.page.getByRole('heading', { name: 'Containers', exact: true })).toBeVisible();
  }

  row(name: string): Locator {
    return this.page.getByRole('table', { name: 'containers' }).getByRole('row').filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  async runNew() {
    await this.page.getByRole('link', { name: 'Run a container' }).first().click();
    await expect(this.page.getByRole('heading', { name: 'Run a container' })).toBeVisible();
  }
}

/** The create form: basics, and the collapsible sections for the rest. */
export class CreateContainerPage {
  constructor(private readonly page: Page) {}

  private get form() {
    return this.page.getByRole('form', { name: 'Run a container' });
  }

  async open() {
    await this.page.goto('/containers/new');
    await expect(this.page.getByRole('heading', { name: 'Run a container' })).toBeVisible();
  }

  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** Fill the next row of a list field (ports, env…), adding a row first. */
  async addListEntry(listLabel: string, value: string) {
    const group = this.form.getByRole('group', { name: listLabel, exact: true });
    const rows = group.getByRole('textbox');
    const before = await rows.count();
    await group.getByRole('button', { name: /^\+ / }).click();
    await expect(rows).toHaveCount(before + 1);
    await rows.nth(before).fill(value);
  }

  listRow(listLabel: string, index: number): Locator {
    return this.form.getByRole('group', { name: listLabel, exact: true }).getByRole('textbox').nth(index);
  }

  async openSection(title: string) {
    const toggle = this.form.getByRole('button', { name: new RegExp(`^${title}`) });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  }

  async createAndStart() {
    await this.form.getByRole('button', { name: 'Create and start' }).click();
  }

  async createOnly() {
    await this.form.getByRole('button', { name: 'Create', exact: true }).click();
  }
}

/** One container's page: header actions and the tabs. */
export class ContainerDetailPage {
  constructor(private readonly page: Page) {}

  async open(id: string, tab?: string) {
    await this.page.goto(tab ? `/containers/${id}?tab=${tab}` : `/containers/${id}`);
    await expect(this.page.getByTestId('container-name')).toBeVisible();
  }

  state(): Locator {
    return this.page.locator('h1').getByTestId('container-state');
  }

  async expectState(state: string) {
    await expect(this.state()).toHaveAttribute('data-state', state);
  }

  async tab(name: 'Overview' | 'Logs' | 'Terminal' | 'Limits' | 'Processes' | 'Commit' | 'Charts') {
    await this.page.getByRole('tab', { name, exact: true }).click();
    await expect(this.page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true');
  }

  logs(): Locator {
    return this.page.getByRole('log', { name: 'container logs' });
  }

  terminal(): Locator {
    return this.page.getByTestId('terminal');
  }

  async waitForTerminal() {
    await expect(this.page.getByTestId('terminal-status')).toHaveAttribute('data-phase', 'open');
  }

  async typeInTerminal(text: string) {
    await this.terminal().click();
    await this.page.keyboard.type(text);
  }

  limitsField(label: string): Locator {
    return this.page.getByRole('form', { name: 'Edit limits' }).getByLabel(label, { exact: true });
  }

  async saveLimits() {
    await this.page.getByRole('button', { name: 'Save limits' }).click();
  }

  async commit(target: string, message: string) {
    const form = this.page.getByRole('form', { name: 'Commit' });
    await form.getByLabel('Image name', { exact: true }).fill(target);
    await form.getByLabel('Message', { exact: true }).fill(message);
    await form.getByRole('button', { name: 'Commit' }).click();
  }

  async remove(options: { force: boolean }) {
    await this.page.getByRole('button', { name: /^Remove / }).click();
    const dialog = this.page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    if (options.force) await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  }
}
