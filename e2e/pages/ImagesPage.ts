import { expect, type Locator, type Page } from '@playwright/test';

export class ImagesPage {
  constructor(private readonly page: Page) {}

  async open(ref?: string) {
    await this.page.goto(ref ? `/images?ref=${encodeURIComponent(ref)}` : '/images');
    await expect(this.page.getByRole('heading', { name: 'Images', exact: true })).toBeVisible();
  }

  row(tag: string): Locator {
    return this.page.getByRole('table', { name: 'images' }).getByRole('row').filter({ hasText: tag });
  }

  async inspect(tag: string) {
    await this.row(tag).click();
    await expect(this.page.getByTestId('image-inspect')).toBeVisible();
  }

  inspectPanel(): Locator {
    return this.page.getByTestId('image-inspect');
  }

  /** Opens the remove dialog and confirms; returns the dialog (it stays open on an error). */
  async remove(tag: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Remove ${tag}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    return dialog;
  }
}
