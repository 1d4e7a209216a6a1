import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePasswd, userNameOf } from '@/server/procfs/passwd';
import {
  differingTypes,
  findNamespace,
  getProcessNamespaces,
  referenceProcess,
  scanNamespaces,
  tallyNamespaces,
  type NamespaceProcess,
} from './scan';

// The procfs fixture tree: init (1), kthreadd (2), "evil) (name" (100) in its own uts+ipc,
// a zombie (101) that kept only pid+user, a process (103) in a child pid namespace,
// a vanished pid (102) and a non-pid entry.
const procRoot = fileURLToPath(new URL('../procfs/__fixtures__/proc', import.meta.url));
const passwdPath = fileURLToPath(new URL('../procfs/__fixtures__/passwd', import.meta.url));
const options = { procRoot, passwdPath };

// lsns's USER is the owner of /proc/PID; in a checked-out fixture that is whoever checked it out.
const ownerName = (pid: number) =>
  userNameOf(parsePasswd(readFileSync(passwdPath, 'utf8')), statSync(path.join(procRoot, String(pid))).uid);

describe('scanNamespaces on a fixture /proc', () => {
  it('produces the rows lsns would print, sorted by inode', async () => {
    const scan = await scanNamespaces(options);
    const rows = scan.namespaces.map(({ inode, type, nprocs, pid, user, command }) => ({ inode, type, nprocs, pid, user, command }));
    const init = { pid: 1, user: ownerName(1), command: '/sbin/init splash' };
    expect(rows).toEqual([
      { inode: 4026531832, type: 'mnt', nprocs: 4, ...init },
      { inode: 4026531833, type: 'net', nprocs: 4, ...init },
      { inode: 4026531834, type: 'time', nprocs: 4, ...init },
      { inode: 4026531835, type: 'cgroup', nprocs: 4, ...init },
      // the zombie keeps its pid namespace; 103 lives in a child one
      { inode: 4026531836, type: 'pid', nprocs: 4, ...init },
      { inode: 4026531837, type: 'user', nprocs: 5, ...init },
      { inode: 4026531838, type: 'uts', nprocs: 3, ...init },
      { inode: 4026531839, type: 'ipc', nprocs: 3, ...init },
      { inode: 4026532200, type: 'uts', nprocs: 1, pid: 100, user: ownerName(100), command: './evil) (name --flag two words' },
      { inode: 4026532201, type: 'ipc', nprocs: 1, pid: 100, user: ownerName(100), command: './evil) (name --flag two words' },
      { inode: 4026532202, type: 'pid', nprocs: 1, pid: 103, user: ownerName(103), command: 'sleep 60' },
    ]);
  });

  it('lists each process with its namespaces and what differs from PID 1', async () => {
    const scan = await scanNamespaces(options);
    expect(scan.reference).toMatchObject({ pid: 1, why: 'pid1' });
    const byPid = new Map(scan.processes.map((p) => [p.pid, p]));
    expect([...byPid.keys()]).toEqual([1, 2, 100, 101, 103]);
    expect(byPid.get(100)?.differsFromReference).toEqual(['uts', 'ipc']);
    expect(byPid.get(100)?.forChildren).toEqual({ pid: 4026532202, time: 4026531834 });
    expect(byPid.get(103)?.differsFromReference).toEqual(['pid']);
    expect(byPid.get(101)?.differsFromReference).toEqual([]);
    expect(byPid.get(2)?.differsFromReference).toEqual([]);
    expect(byPid.get(100)?.comm).toBe('evil) (name');
  });

  it('finds the members of one namespace with their commands', async () => {
    expect(await findNamespace(4026532200, options)).toEqual({
      inode: 4026532200,
      type: 'uts',
      members: [{ pid: 100, ppid: 1, user: ownerName(100), command: './evil) (name --flag two words' }],
    });
    const uts = await findNamespace(4026531838, options);
    expect(uts?.type).toBe('uts');
    expect(uts?.members.map((m) => [m.pid, m.command])).toEqual([
      [1, '/sbin/init splash'],
      [2, 'kthreadd'],
      [103, 'sleep 60'],
    ]);
    expect(await findNamespace(12345, options)).toBeNull();
    await expect(findNamespace(-5, options)).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('answers for one process, and null for one that is gone', async () => {
    expect((await getProcessNamespaces(100, options))?.differsFromReference).toEqual(['uts', 'ipc']);
    expect(await getProcessNamespaces(102, options)).toBeNull();
  });
});

const proc = (pid: number, ppid: number, namespaces: NamespaceProcess['namespaces'], extra: Partial<NamespaceProcess> = {}): NamespaceProcess => ({
  pid,
  ppid,
  uid: 0,
  comm: `p${pid}`,
  isKernelThread: false,
  namespaces,
  forChildren: {},
  ...extra,
});

describe('tallyNamespaces', () => {
  it('counts processes and keeps the lowest pid whatever the order they come in', () => {
    const rows = tallyNamespaces([
      proc(50, 1, { uts: 10, net: 20 }, { uid: 1000 }),
      proc(7, 1, { uts: 10 }, { uid: 33 }),
      proc(99, 50, { net: 20 }),
    ]);
    expect(rows).toEqual([
      { inode: 10, type: 'uts', nprocs: 2, pid: 7, ppid: 1, uid: 33 },
      { inode: 20, type: 'net', nprocs: 2, pid: 50, ppid: 1, uid: 1000 },
    ]);
  });
});

describe('referenceProcess', () => {
  it('uses PID 1, or kthreadd when PID 1 hides its namespaces', () => {
    const kthreadd = proc(2, 0, { uts: 1, net: 2 }, { isKernelThread: true });
    expect(referenceProcess([proc(1, 0, { uts: 9 }), kthreadd])).toMatchObject({ pid: 1, why: 'pid1' });
    expect(referenceProcess([proc(1, 0, {}), kthreadd])).toMatchObject({ pid: 2, why: 'kthreadd', namespaces: { uts: 1, net: 2 } });
    expect(referenceProcess([proc(1, 0, {}), proc(2, 0, { uts: 1 })])).toBeNull();
  });

  it('compares only the types both sides show', () => {
    expect(differingTypes({ uts: 1, net: 5, ipc: 3 }, { uts: 1, net: 2 })).toEqual(['net']);
  });
});
