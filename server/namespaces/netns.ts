import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError, errnoOf, isCgdashError, kernelFileError } from '@/server/lib/errors';
import { execOk } from '@/server/lib/exec';
import { mapConcurrent } from '@/server/procfs/concurrency';
import { readNamespaceInode } from '@/server/procfs/ns';
import { listPids } from '@/server/procfs/pids';

/** Where iproute2 keeps named network namespaces (bind mounts of nsfs files). */
export const DEFAULT_NETNS_DIR = '/run/netns';

export interface NetnsOptions {
  netnsDir?: string;
  procRoot?: string;
}

export interface NamedNetns {
  name: string;
  /** Inode of the namespace; null when the entry is not a live namespace (a stale file). */
  inode: number | null;
  /** Processes whose /proc/PID/ns/net is this namespace, ascending. */
  pids: number[];
}

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * A netns name is a file name in /run/netns and an argument to ip: letters, digits, `_ . -`,
 * at most 64, not starting with a dot (hidden, `..`) or a dash (an option to ip).
 */
export function validateNetnsName(name: unknown): string {
  if (typeof name !== 'string' || !NETNS_NAME.test(name)) {
    throw new CgdashError(
      'invalid',
      `netns name ${JSON.stringify(name)} is not allowed: use 1-64 of A-Z a-z 0-9 _ . -, not starting with . or -`,
      { field: 'name', value: String(name) },
    );
  }
  return name;
}

/** Pair each named netns with the processes inside it, by inode. */
export function matchNetnsToPids(
  entries: readonly { name: string; inode: number | null }[],
  processes: readonly { pid: number; netInode: number | null }[],
): NamedNetns[] {
  const pidsByInode = new Map<number, number[]>();
  for (const p of processes) {
    if (p.netInode === null) continue;
    const list = pidsByInode.get(p.netInode) ?? [];
    list.push(p.pid);
    pidsByInode.set(p.netInode, list);
  }
  return entries
    .map((e) => ({ ...e, pids: e.inode === null ? [] : [...(pidsByInode.get(e.inode) ?? [])].sort((a, b) => a - b) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function nsfsDevice(procRoot: string): Promise<number | null> {
  try {
    return (await stat(path.join(procRoot, 'self/ns/net'))).dev;
  } catch {
    return null;
  }
}

async function netnsEntry(netnsDir: string, name: string, nsfsDev: number | null): Promise<{ name: string; inode: number | null }> {
  const file = path.join(netnsDir, name);
  try {
    const st = await stat(file);
    // A failed `ip netns add` can leave an empty file behind: only an nsfs mount is a namespace.
    return { name, inode: nsfsDev === null || st.dev === nsfsDev ? st.ino : null };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { name, inode: null };
    throw kernelFileError(err, { action: 'read', file });
  }
}

/** Named network namespaces (`ip netns list`) with their inode and the pids inside each. */
export async function listNetns(options: NetnsOptions = {}): Promise<NamedNetns[]> {
  const netnsDir = options.netnsDir ?? DEFAULT_NETNS_DIR;
  const procRoot = options.procRoot ?? '/proc';
  let names: string[];
  try {
    names = await readdir(netnsDir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw kernelFileError(err, { action: 'read', file: netnsDir });
  }
  const dev = await nsfsDevice(procRoot);
  const entries = await Promise.all(names.map((name) => netnsEntry(netnsDir, name, dev)));
  const pids = await listPids(procRoot);
  const processes = await mapConcurrent(pids, 32, async (pid) => ({ pid, netInode: await readNamespaceInode(procRoot, pid, 'net') }));
  return matchNetnsToPids(entries, processes);
}

/** Whether /run/netns/NAME (where `ip -n NAME` looks) exists. */
export async function netnsExists(name: string): Promise<boolean> {
  return exists(path.join(DEFAULT_NETNS_DIR, validateNetnsName(name)));
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw kernelFileError(err, { action: 'read', file });
  }
}

function ipFailed(err: unknown, what: string): CgdashError {
  if (isCgdashError(err) && err.kind === 'unavailable') return err;
  return new CgdashError('internal', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * `ip netns add NAME`. iproute2 always works in /run/netns, so this does too. Returns the new
 * namespace as listNetns shows it.
 */
export async function addNetns(name: string): Promise<NamedNetns> {
  validateNetnsName(name);
  if (await netnsExists(name)) {
    throw new CgdashError('conflict', `network namespace "${name}" already exists`, { field: 'name', value: name });
  }
  try {
    await execOk('ip', ['netns', 'add', name], { timeoutMs: 30_000 });
  } catch (err) {
    throw ipFailed(err, `creating network namespace "${name}"`);
  }
  const created = (await listNetns()).find((n) => n.name === name);
  if (!created) throw new CgdashError('internal', `ip netns add ${name} succeeded but ${path.join(DEFAULT_NETNS_DIR, name)} is missing`);
  return created;
}

/** `ip netns delete NAME`: removes the name; the namespace lives on while processes are in it. */
export async function deleteNetns(name: string): Promise<void> {
  validateNetnsName(name);
  if (!(await netnsExists(name))) {
    throw new CgdashError('not_found', `network namespace "${name}" does not exist`, { field: 'name', value: name });
  }
  try {
    await execOk('ip', ['netns', 'delete', name], { timeoutMs: 30_000 });
  } catch (err) {
    throw ipFailed(err, `deleting network namespace "${name}"`);
  }
}
