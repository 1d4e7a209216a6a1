import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openCgroups } from '../server/cgroup';
import { cniDerivedNames } from '../server/runtime/network/names';
import { trpcCall } from './api';
import { expect, test } from './fixtures';
import { ContainerDetailPage, ContainersPage, CreateContainerPage } from './pages/ContainersPage';
import { ImagesPage } from './pages/ImagesPage';
import { LoginPage } from './pages/LoginPage';
import { readState } from './server';

const run = promisify(execFile);

/**
 * The container story in the browser: run a busybox web server from the form (memory limit,
 * published port, env var), reach it from here, read its logs, type in its terminal, change its
 * memory limit live and see the kernel file change, commit it, run the new image and find the
 * change in it, then remove everything and check that nothing is left on the host.
 */

interface ContainerRow {
  id: string;
  name: string;
  state: string;
  cgroupRef: string;
  network: { network: string; ips: { address: string }[]; ports: { hostPort: number }[] } | null;
}

const tag = randomBytes(3).toString('hex');
const webName = `e2e-web-${tag}`;
const copyName = `e2e-copy-${tag}`;
const imageRef = `e2e-commit-${tag}:v1`;
const netName = `e2e-net-${tag}`;
const uploadRef = `e2e-upload-${tag}:v1`;
const network = 'cgdash0';

/** A TCP port nothing listens on now (the kernel's pick, then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function api<T>(type: 'query' | 'mutation', procedure: string, input: unknown): Promise<T> {
  const s = readState();
  return trpcCall<T>(s.url, type, procedure, input, { token: s.adminToken });
}

async function memoryLimitFile(managedRoot: string, cgroupRef: string): Promise<string> {
  const cgroups = await openCgroups({ managedRoot });
  const placement = cgroups.resolve(cgroupRef).find((p) => p.controllers.includes('memory'));
  if (!placement) throw new Error('no memory controller on this host');
  return path.join(placement.dir, placement.version === 2 ? 'memory.max' : 'memory.limit_in_bytes');
}

async function shot(page: import('@playwright/test').Page, name: string) {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

test.describe.serial('containers, images and networks', () => {
  const made = { web: null as ContainerRow | null, copy: null as ContainerRow | null, hostVeths: [] as string[], cgroupDirs: [] as string[] };
  let port = 0;

  test.beforeAll(async () => {
    port = await freePort();
  });

  // Whatever happened: no container, image or rule of this spec stays behind.
  test.afterAll(async () => {
    const list = await api<ContainerRow[]>('query', 'containers.list', { all: true }).catch(() => [] as ContainerRow[]);
    for (const c of list.filter((c) => c.name === webName || c.name === copyName)) {
      await api('mutation', 'containers.remove', { ref: c.id, force: true }).catch(() => undefined);
    }
    await api('mutation', 'images.remove', { ref: imageRef }).catch(() => undefined);
    await api('mutation', 'images.remove', { ref: uploadRef }).catch(() => undefined);
    await api('mutation', 'networks.remove', { name: netName }).catch(() => undefined);
  });

  test('the list offers to run a container (the empty state on a fresh server)', async ({ adminPage: page }) => {
    const existing = await api<ContainerRow[]>('query', 'containers.list', { all: true });
    const list = new ContainersPage(page);
    await list.open();
    if (existing.length === 0) {
      await expect(page.getByText('No containers yet')).toBeVisible();
      await shot(page, 'containers-empty');
    }
    await list.runNew();
  });

  test('runs a busybox web server from the form and reaches it on the published port', async ({ adminPage: page, server }) => {
    const form = new CreateContainerPage(page);
    await form.open();
    await form.field('Image').fill('busybox');
    await form.field('Name').fill(webName);
    await form.field('Command').fill(`sh -c 'mkdir -p /www && echo "$GREETING" > /www/index.html && echo "serving on 8080" && echo "a warning" >&2 && exec httpd -f -p 8080 -h /www'`);
    await form.field('Network').selectOption(network);
    await form.field('Memory limit').fill('64M');
    await form.addListEntry('Published ports', `127.0.0.1:${port}:8080`);
    await form.addListEntry('Environment', 'GREETING=hello');
    await shot(page, 'containers-create');
    await page.setViewportSize({ width: 1024, height: 768 });
    await form.openSection('Namespaces');
    await form.openSection('Limits');
    await shot(page, 'containers-create-laptop');
    await page.setViewportSize({ width: 1440, height: 900 });

    // A bad value first: the schema's message appears next to its input, nothing is created.
    await form.addListEntry('Environment', 'NOEQUALS');
    await form.createAndStart();
    await expect(form.listRow('Environment', 1)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('alert').filter({ hasText: 'KEY=VALUE' }).first()).toBeVisible();
    expect((await api<ContainerRow[]>('query', 'containers.list', { all: true })).some((c) => c.name === webName)).toBe(false);
    await page.getByRole('button', { name: 'Remove Environment 2' }).click();

    await form.createAndStart();
    await page.waitForURL(/\/containers\/[0-9a-f]{64}/);
    const detail = new ContainerDetailPage(page);
    await detail.expectState('running');
    made.web = await api<ContainerRow>('query', 'containers.get', { ref: webName });
    expect(made.web.network?.network).toBe(network);
    made.hostVeths = (await api<{ name: string; containers: { containerId: string; hostVeth: string | null }[] }[]>('query', 'networks.list', {}))
      .flatMap((n) => n.containers)
      .filter((c) => c.containerId === made.web!.id && c.hostVeth)
      .map((c) => c.hostVeth!);
    made.cgroupDirs = (await openCgroups({ managedRoot: server.cgroupRoot })).resolve(made.web.cgroupRef).map((p) => p.dir);

    // The server inside answers with the env var's value.
    await expect
      .poll(async () => {
        try {
          return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
        } catch {
          return 'not yet';
        }
      }, { timeout: 30_000 })
      .toBe('hello');

    // Overview: the kernel's view of it.
    await expect(page.getByRole('table', { name: 'namespaces' }).locator('tr[data-ns="net"]')).toContainText('own');
    await expect(page.getByTestId('kernel-limits')).toContainText('64.0 MiB');
    await expect(page.getByText(`127.0.0.1:${port} → 8080/tcp`).first()).toBeVisible();
    await shot(page, 'containers-overview');

    const list = new ContainersPage(page);
    await list.open();
    await expect(list.row(webName).getByTestId('container-state')).toHaveAttribute('data-state', 'running');
    await expect(list.row(webName)).toContainText(`127.0.0.1:${port} → 8080/tcp`);
    await shot(page, 'containers-list');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'containers-list-laptop');
    await page.goto(`/containers/${made.web.id}`);
    await expect(page.getByRole('table', { name: 'namespaces' })).toBeVisible();
    await shot(page, 'containers-overview-laptop');
  });

  test('shows its logs live, stderr marked', async ({ adminPage: page }) => {
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id);
    await detail.tab('Logs');
    await expect(detail.logs()).toContainText('serving on 8080');
    await expect(detail.logs().locator('[data-stream="stderr"]')).toContainText('a warning');
    await expect(detail.logs().locator('[data-stream="stdout"]').filter({ hasText: 'serving on 8080' })).toHaveCount(1);
    // Output written now reaches the open page (the container's stdout is its pid 1's fd 1).
    await api('mutation', 'containers.exec', { ref: webName, cmd: ['sh', '-c', 'echo live-line-after-open > /proc/1/fd/1'] });
    await expect(detail.logs().locator('[data-stream="stdout"]').filter({ hasText: 'live-line-after-open' })).toHaveCount(1);
    await shot(page, 'containers-logs');
  });

  test('runs a command in the browser terminal', async ({ adminPage: page }) => {
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id, 'terminal');
    await detail.waitForTerminal();
    await detail.typeInTerminal('echo $GREETING-from-tty | tee /from-tty.txt\n');
    await expect(detail.terminal()).toContainText('hello-from-tty');
    await shot(page, 'containers-terminal');

    // The pty follows the terminal's box: a smaller window sends a resize, and stty sees it.
    const size = async () => {
      await detail.typeInTerminal('clear; echo "SIZE=$(stty size)"\n');
      let found = '';
      await expect
        .poll(async () => {
          const m = /SIZE=(\d+)\s+(\d+)/.exec(await detail.terminal().innerText());
          found = m ? `${m[1]} ${m[2]}` : '';
          return found;
        })
        .toMatch(/^\d+ \d+$/);
      return found;
    };
    const before = await size();
    await page.setViewportSize({ width: 1000, height: 700 });
    await expect.poll(size).not.toBe(before);
    await detail.typeInTerminal('exit 3\n');
    await expect(page.getByTestId('terminal-status')).toContainText('exited with code 3');
  });

  test('changes the memory limit live and the kernel file follows', async ({ adminPage: page, server }) => {
    const file = await memoryLimitFile(server.cgroupRoot, made.web!.cgroupRef);
    expect((await readFile(file, 'utf8')).trim()).toBe(String(64 * 1024 ** 2));
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id, 'limits');
    await expect(detail.limitsField('Memory')).toHaveValue('64M');

    await detail.limitsField('Memory').fill('lots');
    await detail.saveLimits();
    await expect(detail.limitsField('Memory')).toHaveAttribute('aria-invalid', 'true');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(64 * 1024 ** 2));

    await detail.limitsField('Memory').fill('96M');
    await detail.saveLimits();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
    expect((await readFile(file, 'utf8')).trim()).toBe(String(96 * 1024 ** 2));
    await expect(page.getByTestId('kernel-limits')).toContainText('96.0 MiB');
    await shot(page, 'containers-limits');
    await detail.tab('Processes');
    await expect(page.getByRole('table', { name: 'container processes' })).toContainText('httpd');
    await shot(page, 'containers-processes');
  });

  test('commits it to an image that holds the change', async ({ adminPage: page }) => {
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id, 'commit');
    await detail.commit(imageRef, 'e2e: the page and the tty file');
    await expect(page.getByRole('status').filter({ hasText: `Committed as ${imageRef}` })).toBeVisible();
    await shot(page, 'containers-commit');
    await detail.expectState('running');

    const images = new ImagesPage(page);
    await images.open();
    await expect(images.row(imageRef)).toBeVisible();
    await images.inspect(imageRef);
    await expect(images.inspectPanel()).toContainText(`cgdash commit ${webName}`);
    await expect(images.inspectPanel()).toContainText('e2e: the page and the tty file');
    await shot(page, 'images');

    // The new image, run through the API: its files are the committed ones.
    made.copy = await api<ContainerRow>('mutation', 'containers.create', { spec: { image: imageRef, name: copyName, command: ['cat', '/from-tty.txt', '/www/index.html'] }, start: true });
    const exit = await api<{ exitCode: number | null }>('query', 'containers.wait', { ref: copyName, timeoutMs: 30_000 });
    expect(exit.exitCode).toBe(0);
    const lines = await api<{ text: string }[]>('query', 'containers.logs', { ref: copyName });
    expect(lines.map((l) => l.text)).toEqual(['hello-from-tty', 'hello']);

    // An image a container was made from is not removed.
    const dialog = await images.remove(imageRef);
    await expect(dialog.getByRole('alert')).toContainText(copyName);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('imports a tarball by upload; a pull without a registry says so', async ({ adminPage: page, server }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-e2e-archive-'));
    try {
      const tar = path.join(dir, 'busybox.tar');
      await run('skopeo', ['copy', '--quiet', `oci:${path.join(server.dataDir, 'images')}:busybox:latest`, `docker-archive:${tar}:busybox:latest`]);
      const images = new ImagesPage(page);
      await images.open();
      await page.getByRole('button', { name: 'Import tarball' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Tarball').setInputFiles(tar);
      await expect(dialog.getByLabel('Format')).toHaveValue('docker-archive');
      await dialog.getByLabel('Name', { exact: true }).fill(uploadRef);
      await dialog.getByRole('button', { name: 'Import' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      await expect(images.row(uploadRef)).toBeVisible();
      await expect(images.inspectPanel()).toContainText(uploadRef);
      const removed = await images.remove(uploadRef);
      await expect(removed).toBeHidden();
      await expect(images.row(uploadRef)).toHaveCount(0);

      // Loopback port 1: nothing listens, so the registry is unreachable without leaving the host.
      await page.getByRole('button', { name: 'Pull' }).click();
      const pull = page.getByRole('dialog');
      await pull.getByLabel('Image', { exact: true }).fill('127.0.0.1:1/nothing:latest');
      await pull.getByRole('button', { name: 'Pull', exact: true }).click();
      await expect(pull.getByRole('alert')).toContainText('cannot reach the registry');
      await shot(page, 'images-pull-offline');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('charts the container cgroup', async ({ adminPage: page }) => {
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id, 'charts');
    await expect(page.getByTestId('cgroup-charts')).toHaveAttribute('data-ref', made.web!.cgroupRef);
    await expect(page.getByTestId('chart-memory')).toBeVisible();
    await shot(page, 'containers-charts');
  });

  test('lists the default network with the container on it; creates and removes a network', async ({ adminPage: page }) => {
    await page.goto('/networks');
    const card = page.getByTestId(`network-${network}`);
    await expect(card).toContainText(webName);
    await expect(card).toContainText(made.web!.network!.ips[0]!.address);
    await shot(page, 'networks');

    await page.getByRole('button', { name: 'New network' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill(netName);
    await dialog.getByLabel('Subnet', { exact: true }).fill('10.0.0/24');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByLabel('Subnet', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await dialog.getByLabel('Subnet', { exact: true }).fill('');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();
    const created = page.getByTestId(`network-${netName}`);
    await expect(created).toContainText('None attached.');
    await created.getByRole('button', { name: `Remove network ${netName}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(created).toHaveCount(0);
    expect((await api<{ name: string }[]>('query', 'networks.list', {})).map((n) => n.name)).not.toContain(netName);
  });

  test('removes both containers and the image, leaving nothing behind', async ({ adminPage: page, server }) => {
    const detail = new ContainerDetailPage(page);
    await detail.open(made.web!.id);
    await detail.remove({ force: true });
    await page.waitForURL(/\/containers$/);
    await api('mutation', 'containers.remove', { ref: copyName, force: true });

    const images = new ImagesPage(page);
    await images.open();
    const dialog = await images.remove(imageRef);
    await expect(dialog).toBeHidden();
    await expect(images.row(imageRef)).toHaveCount(0);
    expect((await api<{ repoTags: string[] }[]>('query', 'images.list', {})).flatMap((i) => i.repoTags)).not.toContain(imageRef);

    const list = new ContainersPage(page);
    await list.open();
    await expect(list.row(webName)).toHaveCount(0);

    const ids = [made.web!.id, made.copy!.id];
    const left = (await api<ContainerRow[]>('query', 'containers.list', { all: true })).map((c) => c.id);
    for (const id of ids) expect(left).not.toContain(id);
    const runc = await run('runc', ['--root', path.join(server.runDir, 'runc'), 'list']);
    for (const id of ids) expect(runc.stdout).not.toContain(id);
    for (const dir of made.cgroupDirs) expect(existsSync(dir), dir).toBe(false);
    const cgroups = await openCgroups({ managedRoot: server.cgroupRoot });
    for (const p of cgroups.resolve('containers')) {
      const dirs = existsSync(p.dir) ? await readdir(p.dir) : [];
      for (const id of ids) expect(dirs).not.toContain(id);
    }
    for (const veth of made.hostVeths) {
      await expect(run('ip', ['link', 'show', veth])).rejects.toThrow();
    }
    const rules = (await run('iptables-save', [])).stdout;
    for (const id of ids) {
      expect(rules).not.toContain(id);
      const chains = cniDerivedNames(network, id);
      expect(rules).not.toContain(chains.dnatChain);
      expect(rules).not.toContain(chains.masqChain);
    }
  });
});

test.describe.serial('a tenant member', () => {
  const tenant = `e2e-t-${tag}`;
  const member = `e2e-m-${tag}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const boxName = `e2e-member-${tag}`;

  test.beforeAll(async () => {
    await api('mutation', 'tenants.create', { name: tenant, limits: { memoryMax: '512M' } });
    await api('mutation', 'users.create', { name: member, role: 'member', tenant, password });
  });

  test.afterAll(async () => {
    const list = await api<ContainerRow[]>('query', 'containers.list', { all: true }).catch(() => [] as ContainerRow[]);
    for (const c of list.filter((c) => c.name === boxName)) await api('mutation', 'containers.remove', { ref: c.id, force: true }).catch(() => undefined);
    const users = await api<{ id: number; name: string }[]>('query', 'users.list', {}).catch(() => []);
    for (const u of users.filter((u) => u.name === member)) await api('mutation', 'users.remove', { id: u.id }).catch(() => undefined);
    await api('mutation', 'tenants.remove', { name: tenant, force: true }).catch(() => undefined);
  });

  test('runs a container in their slice from the same pages, and charts it, without host-wide data', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.logIn(member, password);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

    const list = new ContainersPage(page);
    await list.open();
    await expect(page.getByText('No containers yet')).toBeVisible();
    await list.runNew();

    const form = new CreateContainerPage(page);
    await expect(form.field('Tenant')).toHaveValue(tenant);
    await expect(form.field('Tenant')).toBeDisabled();
    await expect(form.field('Network')).toHaveValue(network);
    await form.field('Image').fill('busybox');
    await form.field('Name').fill(boxName);
    await form.field('Command').fill(`sh -c 'echo "member says $(id -u)"; exec sleep 600'`);
    await form.field('Memory limit').fill('32M');
    await form.createAndStart();
    await page.waitForURL(/\/containers\/[0-9a-f]{64}/);
    const detail = new ContainerDetailPage(page);
    await detail.expectState('running');
    await expect(page.getByText(`tenant ${tenant}`)).toBeVisible();
    // Root inside, an unprivileged uid outside: the tenant's user namespace.
    await expect(page.getByRole('table', { name: 'namespaces' }).locator('tr[data-ns="user"]')).toContainText('own');
    await detail.tab('Logs');
    await expect(detail.logs()).toContainText('member says 0');
    // Charts of what is in their own slice are theirs to see.
    await detail.tab('Charts');
    await expect(page.getByTestId('chart-memory')).toBeVisible();
    await expect(page.getByText('Could not load this')).toHaveCount(0);
    await shot(page, 'containers-member');

    await list.open();
    await expect(list.row(boxName)).toBeVisible();
    await expect(page.getByRole('columnheader', { name: 'Memory' })).toHaveCount(0);
    await page.goto('/networks');
    await expect(page.getByRole('heading', { name: 'Networks' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'New network' })).toHaveCount(0);
    await expect(page.getByTestId(`network-${network}`)).toContainText(boxName);

    await detail.open((await api<ContainerRow>('query', 'containers.get', { ref: boxName })).id);
    await detail.remove({ force: true });
    await page.waitForURL(/\/containers$/);
    expect((await api<ContainerRow[]>('query', 'containers.list', { all: true })).map((c) => c.name)).not.toContain(boxName);
  });
});
