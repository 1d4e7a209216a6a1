import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openCgroups } from '../server/cgroup';
import { trpcCall } from './api';
import { expect, test } from './fixtures';
import { CgroupsPage } from './pages/CgroupsPage';

/** The kernel file that holds memory max for a managed cgroup, whichever cgroup version runs here. */
async function memoryMaxFile(managedRoot: string, name: string): Promise<string> {
  const cgroups = await openCgroups({ managedRoot });
  const placement = cgroups.resolve(name).find((p) => p.controllers.includes('memory'));
  if (!placement) throw new Error('no memory controller on this host');
  return path.join(placement.dir, placement.version === 2 ? 'memory.max' : 'memory.limit_in_bytes');
}

test.describe('cgroups explorer', () => {
  const name = `e2e-${randomBytes(3).toString('hex')}`;

  test.beforeAll(async () => {
    const { readState } = await import('./server');
    const s = readState();
    await trpcCall(s.url, 'mutation', 'cgroups.create', { path: name }, { token: s.adminToken });
  });

  test.afterAll(async () => {
    const { readState } = await import('./server');
    const s = readState();
    await trpcCall(s.url, 'mutation', 'cgroups.remove', { path: name, kill: true }, { token: s.adminToken }).catch(() => {});
  });

  test('finds the test cgroup, sets its memory limit in the form and the kernel file changes', async ({ adminPage: page, server }) => {
    const file = await memoryMaxFile(server.cgroupRoot, name);
    const cg = new CgroupsPage(page);
    await cg.open();
    await cg.search(name);
    await cg.select(name);
    await page.screenshot({ path: 'e2e/screenshots/cgroups.png', fullPage: true });
    await cg.openEditor();
    await cg.field('Memory max').fill('64M');
    await cg.save();
    await expect(page.getByText('Saved: the kernel files now hold the new limits.')).toBeVisible();
    expect((await readFile(file, 'utf8')).trim()).toBe(String(64 * 1024 * 1024));
    await expect(page.getByTestId('cgroup-limits')).toContainText('64.0 MiB');
  });

  test('a bad value shows a field error and changes nothing', async ({ adminPage: page, server }) => {
    const file = await memoryMaxFile(server.cgroupRoot, name);
    const before = await readFile(file, 'utf8');
    const cg = new CgroupsPage(page);
    await cg.open(name);
    await cg.openEditor();
    await cg.field('Memory max').fill('12 parsecs');
    await cg.field('CPU weight').fill('0');
    await cg.save();
    await expect(page.getByRole('alert').filter({ hasText: '"12 parsecs" is not a size' })).toBeVisible();
    await expect(cg.field('Memory max')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('alert').filter({ hasText: 'cpu weight is at least 1' })).toBeVisible();
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  test('a memory limit below current usage is refused naming the usage', async ({ adminPage: page }) => {
    const cg = new CgroupsPage(page);
    await cg.open(name);
    await cg.openEditor();
    // The kernel's own minimum: no cgroup can be limited below one page.
    await cg.field('Memory max').fill('1');
    await cg.save();
    await expect(page.getByRole('alert').filter({ hasText: /memory/i })).toBeVisible();
  });
});
