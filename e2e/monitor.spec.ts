import { randomBytes } from 'node:crypto';
import { spawnMemoryHog, spawnTestProcess, type TestProcess } from '../server/cgroup/testing';
import { trpcCall } from './api';
import { expect, test } from './fixtures';
import { CgroupChartsPanel } from './pages/CgroupChartsPanel';
import { CgroupsPage } from './pages/CgroupsPage';
import { EventsPage } from './pages/EventsPage';
import { TopPage } from './pages/TopPage';
import { readState } from './server';

/**
 * Live monitoring in the browser against the real kernel: a busy loop the test starts in a cgroup
 * it made rises in the cgroup's charts and in Top, flattens at a CPU quota, and an OOM kill in a
 * cgroup with a small memory max shows up on the Events page.
 */
test.describe('live monitoring', () => {
  const suffix = randomBytes(3).toString('hex');
  const busyName = `e2e-busy-${suffix}`;
  const oomName = `e2e-oom-${suffix}`;
  const procs: TestProcess[] = [];
  const api = (type: 'query' | 'mutation', procedure: string, input: unknown) => {
    const s = readState();
    return trpcCall(s.url, type, procedure, input, { token: s.adminToken });
  };

  test.beforeAll(async () => {
    // A high weight (on the test root too: weights compete among siblings) so the loop gets a
    // whole CPU on a busy shared machine.
    await api('mutation', 'cgroups.setLimits', { path: '', limits: { cpuWeight: 10000 } });
    await api('mutation', 'cgroups.create', { path: busyName, limits: { cpuWeight: 10000 } });
    await api('mutation', 'cgroups.create', { path: oomName, limits: { memoryMax: '48M' } });
  });

  test.afterAll(async () => {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    for (const path of [busyName, oomName]) await api('mutation', 'cgroups.remove', { path, kill: true }).catch(() => {});
    // Back to the default weight: the specs after this one run CPU burners under the test root,
    // and a root weighted 100x would starve the browser and the server outside it.
    await api('mutation', 'cgroups.setLimits', { path: '', limits: { cpuWeight: 100 } });
  });

  test('a busy loop rises in the CPU chart and in Top, then flattens at a quota', async ({ adminPage: page }) => {
    const cg = new CgroupsPage(page);
    await cg.open(busyName);
    const charts = new CgroupChartsPanel(page, busyName);
    await expect(charts.chart('cpu')).toBeVisible();
    await expect.poll(() => charts.lastValue('cpu', 'cpu')).toBeLessThan(20);

    const busy = spawnTestProcess('sh', ['-c', 'while :; do :; done']);
    procs.push(busy);
    await api('mutation', 'cgroups.move', { pid: busy.pid, path: busyName });
    await expect.poll(() => charts.lastValue('cpu', 'cpu'), { timeout: 30_000 }).toBeGreaterThan(60);
    expect(await charts.points('cpu')).toBeLessThanOrEqual(301);
    await expect.poll(() => charts.lastValue('pids', 'pids')).toBe(1);
    await page.screenshot({ path: 'e2e/screenshots/cgroup-charts.png', fullPage: true });

    const top = new TopPage(page);
    await top.open();
    await top.setDepth('all');
    await top.filter(busyName);
    await expect(top.row(busyName)).toBeVisible();
    await expect.poll(() => top.cpuPercent(busyName), { timeout: 30_000 }).toBeGreaterThan(60);
    await top.filter('');
    await top.setDepth('2');
    await page.screenshot({ path: 'e2e/screenshots/top.png', fullPage: true });

    await api('mutation', 'cgroups.setLimits', { path: busyName, limits: { cpus: 0.2 } });
    await cg.open(busyName);
    await expect(charts.chart('cpu').getByText('quota 0.2 CPU')).toBeVisible();
    // Flat at the quota: several samples in a row at 20 %.
    let atQuota = 0;
    await expect
      .poll(
        async () => {
          const v = await charts.lastValue('cpu', 'cpu');
          atQuota = v >= 10 && v <= 26 ? atQuota + 1 : 0;
          return atQuota;
        },
        { timeout: 60_000, intervals: [1000] },
      )
      .toBeGreaterThanOrEqual(3);

    // The slowness panel names the throttling.
    await page.getByRole('button', { name: 'Why is it slow?' }).click();
    await expect(page.getByTestId('why-slow')).toContainText('CPU quota throttling', { timeout: 30_000 });
  });

  test('an OOM kill shows on the Events page', async ({ adminPage: page }) => {
    const events = new EventsPage(page);
    await events.open('oom_kill');
    await expect(page.getByRole('combobox', { name: 'Type' })).toHaveValue('oom_kill');
    const hog = spawnMemoryHog(256);
    procs.push(hog);
    await hog.waitForOutput('ready');
    await api('mutation', 'cgroups.move', { pid: hog.pid, path: oomName });
    hog.send('alloc');
    expect(await hog.exited).toBe('SIGKILL');
    // Streams in without a reload.
    await expect(events.item('oom_kill', oomName)).toBeVisible({ timeout: 30_000 });
    await expect(events.item('oom_kill', oomName)).toContainText('killed by the OOM killer');
    await events.filterCgroup(oomName);
    await expect(events.item('oom_kill', oomName)).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/events.png', fullPage: true });
  });
});
