import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { ProcessesPage } from './pages/ProcessesPage';

/** A process in its own UTS and IPC namespaces, made with unshare as an admin would. */
async function startUnshared(): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn('unshare', ['--uts', '--ipc', '--fork', '--kill-child', 'sleep', '300'], { stdio: 'ignore' });
  // unshare --fork: the sleep is unshare's child; find it through /proc.
  for (let i = 0; i < 100; i++) {
    const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
    const pid = Number(children.trim().split(' ')[0]);
    if (pid) return { child, pid };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('unshare did not start its child');
}

test.describe('namespaces', () => {
  let proc: { child: ChildProcess; pid: number } | undefined;
  test.beforeAll(async () => {
    proc = await startUnshared();
  });
  test.afterAll(() => {
    proc?.child.kill('SIGKILL');
  });

  test('shows the namespaces of a process started with unshare, and its members', async ({ adminPage: page }) => {
    const pid = proc!.pid;
    const utsInode = (await readlink(`/proc/${pid}/ns/uts`)).match(/\[(\d+)\]/)![1]!;
    const processes = new ProcessesPage(page);
    await processes.openProcess(pid);
    await expect(page.getByTestId('process-command')).toHaveText('sleep 300');
    await expect(processes.namespaceRow('uts')).toContainText(utsInode);
    await expect(processes.namespaceRow('uts')).toContainText('own');
    await expect(processes.namespaceRow('ipc')).toContainText('own');
    await expect(processes.namespaceRow('net')).not.toContainText('own');
    await page.screenshot({ path: 'e2e/screenshots/processes.png', fullPage: true });

    await processes.namespaceRow('uts').getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/namespaces\\?inode=${utsInode}`));
    await expect(page.getByTestId('namespace-members')).toContainText('sleep 300');
    await page.screenshot({ path: 'e2e/screenshots/namespaces.png', fullPage: true });
  });

  test('the overview shows the host and its cgroup mode', async ({ adminPage: page }) => {
    await page.goto('/');
    await expect(page.getByText(/cgroup v1|cgroup v2|hybrid/).first()).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Cgroup hierarchies' })).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/overview.png', fullPage: true });
  });
});
