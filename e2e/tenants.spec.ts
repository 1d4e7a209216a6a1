import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { openCgroups } from '../server/cgroup';
import { callProcedure } from '../server/testing/http';
import { trpcCall } from './api';
import { expect, test } from './fixtures';
import { ContainerDetailPage, ContainersPage, CreateContainerPage } from './pages/ContainersPage';
import { LoginPage } from './pages/LoginPage';
import { TenantsPage, UsersPage } from './pages/TenantsPage';
import { readState } from './server';

/**
 * The story from the 2016 explainer: "give cgroup #1 to Sally and cgroup #2 to Joe". The admin
 * slices the host in the console (Sally: CPU 0 and 512 MB, Joe: CPU 1 and 256 MB) and makes
 * their users; each logs in, sees only their slice and runs a CPU burner there; the kernel's
 * own counters show each burner stays on its tenant's CPU; Joe cannot reach Sally's container
 * by URL or API; the audit log has every step.
 */

const tag = randomBytes(2).toString('hex');
const sally = { tenant: `sally-${tag}`, user: `sally${tag}`, password: `sally-pw-${tag}-secret`, cpu: 0, memory: '512M' };
const joe = { tenant: `joe-${tag}`, user: `joe${tag}`, password: `joe-pw-${tag}-secret`, cpu: 1, memory: '256M' };

function api<T>(type: 'query' | 'mutation', procedure: string, input: unknown): Promise<T> {
  const s = readState();
  return trpcCall<T>(s.url, type, procedure, input, { token: s.adminToken });
}

async function logInAs(browser: Browser, who: typeof sally): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: readState().url, viewport: { width: 1440, height: 900 } })).newPage();
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(who.user, who.password);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  return page;
}

/** Run a CPU burner from the container form; returns its id. */
async function runBurner(page: Page, name: string): Promise<string> {
  const list = new ContainersPage(page);
  await list.open();
  await list.runNew();
  const form = new CreateContainerPage(page);
  await form.field('Image').fill('busybox');
  await form.field('Name').fill(name);
  await form.field('Command').fill(`sh -c 'while :; do :; done'`);
  // Half a CPU: enough to show on the counters, and the browser and server keep the rest.
  await form.field('CPUs').fill('0.5');
  await form.createAndStart();
  await page.waitForURL(/\/containers\/[0-9a-f]{64}/);
  await new ContainerDetailPage(page).expectState('running');
  return page.url().split('/').pop()!.split('?')[0]!;
}

/** The CPU a process last ran on: field 39 of /proc/PID/stat (after the comm in parentheses). */
async function lastCpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]);
}

/** Per-CPU usage of a cgroup in ns (v1 cpuacct.usage_percpu); null where the kernel has none (v2). */
async function usagePerCpu(cgroupRoot: string, ref: string): Promise<bigint[] | null> {
  const cgroups = await openCgroups({ managedRoot: cgroupRoot });
  const p = cgroups.resolve(ref).find((x) => x.version === 1 && x.controllers.includes('cpuacct'));
  if (!p) return null;
  return (await readFile(path.join(p.dir, 'cpuacct.usage_percpu'), 'utf8')).trim().split(/\s+/).map(BigInt);
}

test.describe('tenants: Sally and Joe each get a slice', () => {
  test.describe.configure({ mode: 'serial' });
  const ids: { sally?: string; joe?: string } = {};

  test.afterAll(async () => {
    for (const id of [ids.sally, ids.joe]) if (id) await api('mutation', 'containers.remove', { ref: id, force: true }).catch(() => undefined);
    const users = await api<{ id: number; name: string }[]>('query', 'users.list', undefined).catch(() => []);
    for (const u of users.filter((x) => x.name === sally.user || x.name === joe.user)) await api('mutation', 'users.remove', { id: u.id }).catch(() => undefined);
    for (const t of [sally.tenant, joe.tenant]) await api('mutation', 'tenants.remove', { name: t, force: true }).catch(() => undefined);
  });

  test('the admin slices the host in the console and makes their users', async ({ adminPage: page }) => {
    const tenants = new TenantsPage(page);
    await tenants.open();
    await tenants.create({ name: sally.tenant, displayName: 'Sally', cpus: String(sally.cpu), memory: sally.memory });
    await expect(tenants.card(sally.tenant)).toContainText('512');
    // The editor checks the slicing before saving: Joe sharing Sally's CPU would be warned about.
    await tenants.startNew({ name: joe.tenant, cpus: '0-1' });
    await expect(page.getByTestId('overcommit-warning').filter({ hasText: `shared with ${sally.tenant}` })).toBeVisible();
    await tenants.fill({ cpus: String(joe.cpu), memory: joe.memory, displayName: 'Joe' });
    await expect(page.getByTestId('overcommit-warning')).toHaveCount(0);
    await tenants.save();
    await expect(tenants.card(joe.tenant)).toContainText('256');
    await page.screenshot({ path: 'e2e/screenshots/tenants.png', fullPage: true });

    const users = new UsersPage(page);
    await users.open();
    await users.create({ name: sally.user, role: 'member', tenant: sally.tenant, password: sally.password });
    await users.create({ name: joe.user, role: 'member', tenant: joe.tenant, password: joe.password });
    await expect(users.row(sally.user)).toContainText(sally.tenant);
    await page.screenshot({ path: 'e2e/screenshots/users.png', fullPage: true });

    // The slices are in the kernel as the admin set them.
    const cgroups = await openCgroups({ managedRoot: readState().cgroupRoot });
    const cpus = async (tenant: string) => {
      const p = cgroups.resolve(`tenants/${tenant}`).find((x) => x.controllers.includes('cpuset'))!;
      return (await readFile(path.join(p.dir, p.version === 2 ? 'cpuset.cpus' : 'cpuset.cpus'), 'utf8')).trim();
    };
    expect(await cpus(sally.tenant)).toBe('0');
    expect(await cpus(joe.tenant)).toBe('1');
  });

  test('Sally logs in, sees only her slice, and runs a CPU burner in it', async ({ browser }) => {
    const page = await logInAs(browser, sally);
    await expect(page).toHaveURL(/\/tenants$/);
    await expect(page.getByRole('heading', { name: 'My slice' })).toBeVisible();
    await expect(page.getByRole('region', { name: `tenant ${sally.tenant}` })).toBeVisible();
    await expect(page.getByRole('region', { name: `tenant ${joe.tenant}` })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Cgroups' })).toHaveCount(0);
    await page.goto('/cgroups');
    await expect(page).toHaveURL(/\/tenants$/);
    ids.sally = await runBurner(page, `burn-${sally.user}`);
    await page.goto('/tenants');
    await expect(page.getByTestId('chart-cpu')).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/tenant-member.png', fullPage: true });
    await page.context().close();
  });

  test('Joe runs his; each burner stays on its own CPU by the kernel\'s counters', async ({ browser }) => {
    const page = await logInAs(browser, joe);
    ids.joe = await runBurner(page, `burn-${joe.user}`);
    await page.context().close();

    const s = readState();
    const pidOf = async (id: string) => (await api<{ pid: number }>('query', 'containers.get', { ref: id })).pid;
    const [sallyPid, joePid] = [await pidOf(ids.sally!), await pidOf(ids.joe!)];
    const before = { sally: await usagePerCpu(s.cgroupRoot, `tenants/${sally.tenant}`), joe: await usagePerCpu(s.cgroupRoot, `tenants/${joe.tenant}`) };
    const seen = { sally: new Set<number>(), joe: new Set<number>() };
    for (let i = 0; i < 20; i++) {
      seen.sally.add(await lastCpuOf(sallyPid));
      seen.joe.add(await lastCpuOf(joePid));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen.sally]).toEqual([sally.cpu]);
    expect([...seen.joe]).toEqual([joe.cpu]);
    const after = { sally: await usagePerCpu(s.cgroupRoot, `tenants/${sally.tenant}`), joe: await usagePerCpu(s.cgroupRoot, `tenants/${joe.tenant}`) };
    if (before.sally && after.sally && before.joe && after.joe) {
      // Where the kernel counts per CPU (v1 cpuacct): all of Sally's time on CPU 0, Joe's on CPU 1.
      const delta = (a: bigint[], b: bigint[]) => b.map((v, i) => v - (a[i] ?? 0n));
      const sallyDelta = delta(before.sally, after.sally);
      const joeDelta = delta(before.joe, after.joe);
      expect(sallyDelta[sally.cpu]! > 0n).toBe(true);
      expect(sallyDelta[joe.cpu]).toBe(0n);
      expect(joeDelta[joe.cpu]! > 0n).toBe(true);
      expect(joeDelta[sally.cpu]).toBe(0n);
    }
  });

  test('Joe cannot see or touch Sally\'s container, by URL or by API', async ({ browser }) => {
    const page = await logInAs(browser, joe);
    await page.goto(`/containers/${ids.sally}`);
    await expect(page.getByText(/no container/i).first()).toBeVisible();
    const list = new ContainersPage(page);
    await list.open();
    await expect(list.row(`burn-${joe.user}`)).toBeVisible();
    await expect(list.row(`burn-${sally.user}`)).toHaveCount(0);
    await page.context().close();

    const s = readState();
    const joeToken = (await trpcCall<{ secret: string }>(s.url, 'mutation', 'auth.tokens.create', { name: 'e2e' }, { cookie: await sessionOf(joe) })).secret;
    for (const [type, proc, input] of [
      ['query', 'containers.get', { ref: ids.sally }],
      ['query', 'containers.logs', { ref: ids.sally }],
      ['mutation', 'containers.stop', { ref: ids.sally, timeoutSec: 0 }],
      ['mutation', 'containers.remove', { ref: ids.sally, force: true }],
      ['mutation', 'containers.exec', { ref: ids.sally, cmd: ['true'] }],
      ['query', 'monitor.history', { refs: [`tenants/${sally.tenant}`], window: '1m' }],
      ['query', 'tenants.get', { name: sally.tenant }],
    ] as const) {
      const r = await callProcedure(s.url, type, proc, input, { token: joeToken });
      expect({ proc, status: r.status }).toEqual({ proc, status: 404 });
    }
    expect((await api<{ state: string }>('query', 'containers.get', { ref: ids.sally! })).state).toBe('running');
  });

  test('the audit log shows every step', async ({ adminPage: page }) => {
    await page.goto('/audit');
    const table = page.getByRole('table', { name: 'audit log' });
    await expect(table).toBeVisible();
    for (const [action, target] of [
      ['tenants.create', sally.tenant],
      ['tenants.create', joe.tenant],
      ['users.create', sally.user],
      ['users.create', joe.user],
      ['auth.login', sally.user],
      ['auth.login', joe.user],
      ['containers.create', ''],
      ['containers.stop', ids.sally!],
    ] as const) {
      await expect(table.getByRole('row').filter({ hasText: action }).filter({ hasText: target }).first()).toBeVisible();
    }
    // Joe's attempt on Sally's container is there, with who and how it ended.
    await expect(table.getByRole('row').filter({ hasText: 'containers.stop' }).filter({ hasText: joe.user }).first()).toContainText('error');
    await page.screenshot({ path: 'e2e/screenshots/audit.png', fullPage: true });
  });
});

/** A session cookie for a user, through the login procedure as a browser would. */
async function sessionOf(who: typeof sally): Promise<string> {
  const s = readState();
  const res = await fetch(`${s.url}/api/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: s.url },
    body: JSON.stringify({ json: { name: who.user, password: who.password } }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
