import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getProcess, listProcesses } from './list';

const procRoot = fileURLToPath(new URL('./__fixtures__/proc', import.meta.url));
const passwdPath = fileURLToPath(new URL('./__fixtures__/passwd', import.meta.url));
const options = { procRoot, passwdPath };

describe('listProcesses on a fixture /proc', () => {
  it('lists every process by pid and skips the one that vanished and non-pid entries', async () => {
    const list = await listProcesses(options);
    expect(list.map((p) => p.pid)).toEqual([1, 2, 100, 101, 103]);
  });

  it('reads a process whose comm holds ") ("', async () => {
    const p = (await listProcesses(options)).find((x) => x.pid === 100);
    expect(p).toMatchObject({
      pid: 100,
      ppid: 1,
      uid: 1000,
      user: 'alice',
      state: 'R',
      comm: 'evil) (name',
      args: ['./evil) (name', '--flag', 'two words'],
      command: './evil) (name --flag two words',
      isKernelThread: false,
      threads: 3,
      rssBytes: 2048 * 1024,
      utimeTicks: 1234,
      stimeTicks: 567,
      startTimeTicks: 5000,
      // btime 1700000000 + 5000 ticks / 100 Hz
      startTimeMs: 1_700_000_050_000,
      nspid: [100],
      namespaces: { uts: 4026532200, ipc: 4026532201, pid: 4026531836, net: 4026531833, mnt: 4026531832 },
    });
    expect(p?.cgroups).toEqual([
      { hierarchyId: 9, controllers: ['name=systemd'], path: '/user.slice/evil' },
      { hierarchyId: 4, controllers: ['memory'], path: '/user.slice/evil' },
      { hierarchyId: 1, controllers: ['cpu'], path: '/user.slice/evil' },
      { hierarchyId: 0, controllers: [], path: '/user.slice/evil' },
    ]);
  });

  it('shows kernel threads and zombies in brackets, as ps does', async () => {
    const list = await listProcesses(options);
    const kthreadd = list.find((x) => x.pid === 2);
    expect(kthreadd).toMatchObject({ command: '[kthreadd]', isKernelThread: true, rssBytes: 0, user: 'root', args: [] });
    const zombie = list.find((x) => x.pid === 101);
    expect(zombie).toMatchObject({ command: '[sh] <defunct>', state: 'Z', user: '4242' });
    // A zombie has dropped all namespaces but pid and user.
    expect(zombie?.namespaces).toEqual({ pid: 4026531836, user: 4026531837 });
  });

  it('gives the pid inside a nested pid namespace', async () => {
    const p = await getProcess(103, options);
    expect(p?.nspid).toEqual([103, 1]);
    expect(p?.namespaces.pid).toBe(4026532202);
  });

  it('answers null for a process that is gone, and refuses a non-pid', async () => {
    expect(await getProcess(102, options)).toBeNull();
    expect(await getProcess(999, options)).toBeNull();
    await expect(getProcess(-1, options)).rejects.toMatchObject({ kind: 'invalid', details: { field: 'pid' } });
  });

  it('names the directory when /proc itself is missing', async () => {
    await expect(listProcesses({ procRoot: '/nonexistent-proc', passwdPath })).rejects.toThrow(/\/nonexistent-proc\/stat/);
  });
});
