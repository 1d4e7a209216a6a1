import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { mapConcurrent } from '@/server/procfs/concurrency';
import { procDirOwner, readProcBytes, readProcText } from '@/server/procfs/files';
import {
  NAMESPACE_TYPES,
  readNamespaceLinks,
  type ForChildrenType,
  type NamespaceInodes,
  type NamespaceType,
} from '@/server/procfs/ns';
import { readUserNames, userNameOf, type UserNames } from '@/server/procfs/passwd';
import { isPid, listPids } from '@/server/procfs/pids';
import { isKernelThread, parseProcStat } from '@/server/procfs/stat';
import { lsnsCommand } from './command';

export interface NamespaceScanOptions {
  procRoot?: string;
  passwdPath?: string;
}

/** One process as lsns sees it: who owns it and which namespaces it is in. */
export interface NamespaceProcess {
  pid: number;
  ppid: number;
  /** Owner of /proc/PID: the effective uid, or 0 for a non-dumpable process (lsns's UID). */
  uid: number;
  comm: string;
  isKernelThread: boolean;
  namespaces: NamespaceInodes;
  /** pid_for_children / time_for_children: where the process's next children will live. */
  forChildren: Partial<Record<ForChildrenType, number>>;
}

/** One row of `lsns`: NS, TYPE, NPROCS, PID (lowest), USER and COMMAND of that pid. */
export interface NamespaceRow {
  inode: number;
  type: NamespaceType;
  /** Processes (not threads) in it: lsns counts the entries of /proc. */
  nprocs: number;
  /** Lowest pid in the namespace. */
  pid: number;
  ppid: number;
  uid: number;
  user: string;
  /** cmdline of that pid as lsns prints it, else its comm. */
  command: string;
}

export interface ProcessNamespaces extends NamespaceProcess {
  user: string;
  /** Types in which this process is not where the reference process is. */
  differsFromReference: NamespaceType[];
}

/**
 * The process that stands for "the host" when saying which namespaces differ: PID 1, or,
 * where PID 1's links are hidden from us (EACCES: another security context), kthreadd —
 * kernel threads always live in the initial namespaces.
 */
export interface ReferenceProcess {
  pid: number;
  why: 'pid1' | 'kthreadd';
  namespaces: NamespaceInodes;
}

export interface NamespaceScan {
  namespaces: NamespaceRow[];
  processes: ProcessNamespaces[];
  reference: ReferenceProcess | null;
}

export interface NamespaceMember {
  pid: number;
  ppid: number;
  user: string;
  command: string;
}

export interface NamespaceMembers {
  inode: number;
  type: NamespaceType;
  members: NamespaceMember[];
}

const SCAN_CONCURRENCY = 32;

/**
 * Read one /proc/PID as lsns does: owner, stat (for ppid), then each ns link. null when the
 * process is gone; a link we may not read is left out, and the process still counts elsewhere.
 */
export async function readNamespaceProcess(procRoot: string, pid: number): Promise<NamespaceProcess | null> {
  const dir = path.join(procRoot, String(pid));
  const uid = await procDirOwner(dir);
  if (uid === null) return null;
  const statText = await readProcText(path.join(dir, 'stat'));
  if (statText === null) return null;
  const stat = parseProcStat(statText, path.join(dir, 'stat'));
  const { namespaces, forChildren } = await readNamespaceLinks(procRoot, pid);
  return { pid, ppid: stat.ppid, uid, comm: stat.comm, isKernelThread: isKernelThread(stat), namespaces, forChildren };
}

export async function readNamespaceProcesses(procRoot: string): Promise<NamespaceProcess[]> {
  const pids = await listPids(procRoot);
  const read = await mapConcurrent(pids, SCAN_CONCURRENCY, (pid) => readNamespaceProcess(procRoot, pid));
  return read.filter((p): p is NamespaceProcess => p !== null);
}

export type NamespaceTally = Omit<NamespaceRow, 'user' | 'command'>;

/** Group processes by namespace inode: count them and keep the lowest pid, sorted by inode. */
export function tallyNamespaces(processes: readonly NamespaceProcess[]): NamespaceTally[] {
  const byInode = new Map<number, NamespaceTally>();
  for (const p of processes) {
    for (const type of NAMESPACE_TYPES) {
      const inode = p.namespaces[type];
      if (inode === undefined) continue;
      const row = byInode.get(inode);
      if (!row) {
        byInode.set(inode, { inode, type, nprocs: 1, pid: p.pid, ppid: p.ppid, uid: p.uid });
        continue;
      }
      row.nprocs++;
      if (p.pid < row.pid) Object.assign(row, { pid: p.pid, ppid: p.ppid, uid: p.uid });
    }
  }
  return [...byInode.values()].sort((a, b) => a.inode - b.inode);
}

export function referenceProcess(processes: readonly NamespaceProcess[]): ReferenceProcess | null {
  const hasLinks = (p: NamespaceProcess | undefined) => p !== undefined && Object.keys(p.namespaces).length > 0;
  const init = processes.find((p) => p.pid === 1);
  if (init && hasLinks(init)) return { pid: 1, why: 'pid1', namespaces: init.namespaces };
  const kthreadd = processes.find((p) => p.ppid === 0 && p.pid !== 1 && p.isKernelThread);
  if (kthreadd && hasLinks(kthreadd)) return { pid: kthreadd.pid, why: 'kthreadd', namespaces: kthreadd.namespaces };
  return null;
}

export function differingTypes(namespaces: NamespaceInodes, reference: NamespaceInodes): NamespaceType[] {
  return NAMESPACE_TYPES.filter((t) => {
    const mine = namespaces[t];
    const theirs = reference[t];
    return mine !== undefined && theirs !== undefined && mine !== theirs;
  });
}

async function commandOfPid(procRoot: string, pid: number): Promise<string | null> {
  const dir = path.join(procRoot, String(pid));
  const cmdline = await readProcBytes(path.join(dir, 'cmdline'));
  const comm = cmdline && cmdline.length > 0 ? null : await readProcBytes(path.join(dir, 'comm'));
  return lsnsCommand(cmdline, comm);
}

function withProcessDetails(
  processes: readonly NamespaceProcess[],
  userNames: UserNames,
  reference: ReferenceProcess | null,
): ProcessNamespaces[] {
  return processes.map((p) => ({
    ...p,
    user: userNameOf(userNames, p.uid),
    differsFromReference: reference ? differingTypes(p.namespaces, reference.namespaces) : [],
  }));
}

/**
 * Every namespace any process is in — the rows of `lsns` — and every process with its
 * namespaces. Namespaces that no process is in (a named netns, a bind-mounted ns) are not
 * rows, as in lsns; see listNetns for the named network namespaces.
 */
export async function scanNamespaces(options: NamespaceScanOptions = {}): Promise<NamespaceScan> {
  const procRoot = options.procRoot ?? '/proc';
  const [processes, userNames] = await Promise.all([readNamespaceProcesses(procRoot), readUserNames(options.passwdPath)]);
  const tallies = tallyNamespaces(processes);
  // lsns reads the command when it prints, once per row's pid; so do we.
  const lowestPids = [...new Set(tallies.map((t) => t.pid))];
  const commands = new Map<number, string | null>();
  await mapConcurrent(lowestPids, SCAN_CONCURRENCY, async (pid) => commands.set(pid, await commandOfPid(procRoot, pid)));
  const commByPid = new Map(processes.map((p) => [p.pid, p.comm]));
  const namespaces = tallies.map((t) => ({
    ...t,
    user: userNameOf(userNames, t.uid),
    command: commands.get(t.pid) ?? commByPid.get(t.pid) ?? '',
  }));
  const reference = referenceProcess(processes);
  return { namespaces, processes: withProcessDetails(processes, userNames, reference), reference };
}

/** The processes in one namespace, by pid, with their commands; null when no process is in it. */
export async function findNamespace(inode: number, options: NamespaceScanOptions = {}): Promise<NamespaceMembers | null> {
  if (!Number.isSafeInteger(inode) || inode <= 0) {
    throw new CgdashError('invalid', `inode: ${String(inode)} is not a namespace inode`, { field: 'inode', value: String(inode) });
  }
  const procRoot = options.procRoot ?? '/proc';
  const [processes, userNames] = await Promise.all([readNamespaceProcesses(procRoot), readUserNames(options.passwdPath)]);
  const inside = processes.flatMap((p) => {
    const type = NAMESPACE_TYPES.find((t) => p.namespaces[t] === inode);
    return type ? [{ p, type }] : [];
  });
  const first = inside[0];
  if (!first) return null;
  const members = await mapConcurrent(inside, SCAN_CONCURRENCY, async ({ p }) => ({
    pid: p.pid,
    ppid: p.ppid,
    user: userNameOf(userNames, p.uid),
    command: (await commandOfPid(procRoot, p.pid)) ?? p.comm,
  }));
  return { inode, type: first.type, members };
}

/** The namespaces of one process and how they differ from the host's; null when it is gone. */
export async function getProcessNamespaces(pid: number, options: NamespaceScanOptions = {}): Promise<ProcessNamespaces | null> {
  if (!isPid(pid)) throw new CgdashError('invalid', `pid: ${String(pid)} is not a process id`, { field: 'pid', value: String(pid) });
  const procRoot = options.procRoot ?? '/proc';
  const [p, userNames, init, kthreadd] = await Promise.all([
    readNamespaceProcess(procRoot, pid),
    readUserNames(options.passwdPath),
    readNamespaceProcess(procRoot, 1),
    readNamespaceProcess(procRoot, 2),
  ]);
  if (!p) return null;
  const reference = referenceProcess([init, kthreadd].filter((x): x is NamespaceProcess => x !== null));
  return withProcessDetails([p], userNames, reference)[0] ?? null;
}
