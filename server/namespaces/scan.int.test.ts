import { spawn } from 'node:child_process';
import { readlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execOk } from '@/server/lib/exec';
import { NAMESPACE_TYPES, parseNsLink, type NamespaceType } from '@/server/procfs/ns';
import { listPids } from '@/server/procfs/pids';
import { childrenOf, killOwned, own, spawnOwned, waitFor, type OwnedProcess } from '@/server/procfs/testing';
import { findNamespace, readNamespaceProcess, scanNamespaces, type NamespaceScan } from './scan';

interface LsnsRow {
  ns: number;
  type: string;
  nprocs: number;
  pid: number;
  user: string;
  command: string | null;
}

/** `lsns -J` prints a process tree (children under their parent's row): flatten it. */
function flatten(rows: (LsnsRow & { children?: LsnsRow[] })[]): LsnsRow[] {
  return rows.flatMap(({ children, ...row }) => [row, ...flatten(children ?? [])]);
}

async function lsns(): Promise<LsnsRow[]> {
  const { stdout } = await execOk('lsns', ['-J', '-o', 'NS,TYPE,NPROCS,PID,USER,COMMAND']);
  return flatten((JSON.parse(stdout) as { namespaces: LsnsRow[] }).namespaces);
}

async function selfNs(name: string): Promise<number> {
  const link = parseNsLink(await readlink(`/proc/self/ns/${name}`));
  if (!link) throw new Error(`cannot read /proc/self/ns/${name}`);
  return link.inode;
}

/**
 * lsns counts itself: it is our child, so it sits in our namespaces — except pid and time,
 * where a child is born into pid_for_children / time_for_children.
 */
async function lsnsOwnNamespaces(): Promise<Set<number>> {
  const inodes = new Set<number>();
  for (const t of NAMESPACE_TYPES) {
    inodes.add(await selfNs(t === 'pid' || t === 'time' ? `${t}_for_children` : t));
  }
  return inodes;
}

function rowsByInode(scan: NamespaceScan, plusLsns: Set<number>): Map<number, LsnsRow> {
  return new Map(
    scan.namespaces.map((r) => [
      r.inode,
      { ns: r.inode, type: r.type, nprocs: r.nprocs + (plusLsns.has(r.inode) ? 1 : 0), pid: r.pid, user: r.user, command: r.command },
    ]),
  );
}

/** Differences between lsns and two scans of ours taken right before and right after it. */
function compare(before: Map<number, LsnsRow>, theirs: LsnsRow[], after: Map<number, LsnsRow>): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const row of theirs) {
    seen.add(row.ns);
    const candidates = [before.get(row.ns), after.get(row.ns)].filter((x): x is LsnsRow => x !== undefined);
    if (candidates.length === 0) problems.push(`lsns has ${row.ns} (${row.type}), our scans do not`);
    else if (!candidates.some((c) => JSON.stringify(c) === JSON.stringify(row))) {
      problems.push(`lsns ${JSON.stringify(row)} vs ours ${candidates.map((c) => JSON.stringify(c)).join(' / ')}`);
    }
  }
  for (const inode of before.keys()) {
    if (after.has(inode) && !seen.has(inode)) problems.push(`${inode} is in both our scans but not in lsns`);
  }
  return problems;
}

describe('scanNamespaces against lsns on this machine', () => {
  let unshareProc: OwnedProcess | undefined;
  let sleeper: OwnedProcess | undefined;

  beforeAll(async () => {
    // A process in namespaces of its own, so the comparison covers more than the host's.
    const { owned } = await spawnOwned('unshare', ['--uts', '--ipc', '--net', '--mount', '--fork', '--kill-child', 'sleep', '300']);
    unshareProc = owned;
    const child = await waitFor(async () => (await childrenOf(owned.pid))[0], 'the unshared sleep');
    sleeper = await own(child);
    // wait for the exec: until then the child is a copy of unshare
    await waitFor(async () => ((await readlink(`/proc/${child}/exe`).catch(() => '')).endsWith('/sleep') ? true : null), 'sleep to exec');
  });

  afterAll(async () => {
    await killOwned(sleeper);
    await killOwned(unshareProc);
  });

  it('gives exactly the rows of lsns -J, taken at the same moment', async () => {
    const plusLsns = await lsnsOwnNamespaces();
    let problems: string[] = [];
    // Other work on the host starts and ends processes while we look; a real difference shows
    // in every attempt, a race only in some.
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = rowsByInode(await scanNamespaces(), plusLsns);
      const theirs = await lsns();
      const after = rowsByInode(await scanNamespaces(), plusLsns);
      problems = compare(before, theirs, after);
      expect(theirs.length).toBeGreaterThan(8);
      if (problems.length === 0) break;
    }
    expect(problems).toEqual([]);
  });

  it('sees the unshared process in its own uts, ipc, net and mnt namespaces', async () => {
    const scan = await scanNamespaces();
    const me = scan.processes.find((p) => p.pid === process.pid);
    const it = scan.processes.find((p) => p.pid === sleeper?.pid);
    expect(me).toBeDefined();
    expect(it).toBeDefined();
    const changed: NamespaceType[] = ['mnt', 'net', 'uts', 'ipc'];
    for (const t of NAMESPACE_TYPES) {
      expect(it?.namespaces[t], t).toBeDefined();
      if (changed.includes(t)) expect(it?.namespaces[t], t).not.toBe(await selfNs(t));
      else expect(it?.namespaces[t], t).toBe(await selfNs(t));
    }
    expect(scan.reference).not.toBeNull();
    for (const t of changed) {
      if (scan.reference?.namespaces[t] === me?.namespaces[t]) expect(it?.differsFromReference).toContain(t);
    }
    // unshare(1) itself moves into the new namespaces, then forks sleep there.
    const unshareCommand = 'unshare --uts --ipc --net --mount --fork --kill-child sleep 300';
    for (const t of changed) {
      const row = scan.namespaces.find((r) => r.inode === it?.namespaces[t]);
      expect(row, t).toMatchObject({ type: t, nprocs: 2, pid: unshareProc?.pid, command: unshareCommand });
    }
  });

  it('finds the members of a namespace', async () => {
    const scan = await scanNamespaces();
    const uts = scan.processes.find((p) => p.pid === sleeper?.pid)?.namespaces.uts;
    expect(uts).toBeDefined();
    const found = await findNamespace(uts ?? 0);
    expect(found).toEqual({
      inode: uts,
      type: 'uts',
      members: [
        { pid: unshareProc?.pid, ppid: process.pid, user: 'root', command: 'unshare --uts --ipc --net --mount --fork --kill-child sleep 300' },
        { pid: sleeper?.pid, ppid: unshareProc?.pid, user: 'root', command: 'sleep 300' },
      ],
    });
  });

  it('skips processes that exit while it scans, without errors', async () => {
    // A separate process that starts and reaps short-lived children as fast as it can.
    const churner = await spawnOwned(process.execPath, ['-e', "for (;;) require('node:child_process').spawnSync('true')"]);
    try {
      await waitFor(async () => (await childrenOf(churner.owned.pid))[0], 'the churner to start children');
      // Pids in /proc just before a scan that the scan no longer found: the race happened.
      let vanished = 0;
      for (let scans = 0; scans < 10 || (vanished === 0 && scans < 100); scans++) {
        const listed = await listPids();
        const scan = await scanNamespaces();
        expect(scan.namespaces.length).toBeGreaterThan(0);
        const found = new Set(scan.processes.map((p) => p.pid));
        vanished += listed.filter((pid) => !found.has(pid)).length;
      }
      expect(vanished).toBeGreaterThan(0);
    } finally {
      await killOwned(churner.owned);
    }
  });

  it('reads a process that has exited as nothing', async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    expect(child.pid).toBeDefined();
    // node reaps it right after 'exit'; once reaped /proc/PID is gone (unless the pid is reused).
    await waitFor(async () => ((await readNamespaceProcess('/proc', child.pid ?? 0)) === null ? true : null), 'the reaped process to leave /proc');
    expect(await readNamespaceProcess('/proc', child.pid ?? 0)).toBeNull();
  });
});
