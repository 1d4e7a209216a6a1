import path from 'node:path';
import { readProcLink } from './files';

/** Namespace kinds as the links in /proc/PID/ns name them, in lsns(8) order. */
export const NAMESPACE_TYPES = ['mnt', 'net', 'pid', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

/**
 * pid_for_children and time_for_children: the namespace the process's NEXT children will be
 * born in (after unshare(CLONE_NEWPID/NEWTIME) the process itself stays where it was).
 * They are not namespaces of their own, so scans do not count them.
 */
export const FOR_CHILDREN_TYPES = ['pid', 'time'] as const;
export type ForChildrenType = (typeof FOR_CHILDREN_TYPES)[number];

/** Inode of each namespace a process is in; a type is missing when the link is unreadable. */
export type NamespaceInodes = Partial<Record<NamespaceType, number>>;

export interface ProcessNamespaceLinks {
  namespaces: NamespaceInodes;
  forChildren: Partial<Record<ForChildrenType, number>>;
}

export function isNamespaceType(value: string): value is NamespaceType {
  return (NAMESPACE_TYPES as readonly string[]).includes(value);
}

/** "net:[4026531833]" -> { type: "net", inode: 4026531833 }. */
export function parseNsLink(target: string): { type: string; inode: number } | null {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(target);
  if (!m) return null;
  return { type: m[1] ?? '', inode: Number(m[2]) };
}

/** Inode of one namespace of a process; null when hidden (EACCES), absent or the process is gone. */
export async function readNamespaceInode(procRoot: string, pid: number, type: NamespaceType): Promise<number | null> {
  const link = parseNsLink((await readProcLink(path.join(procRoot, String(pid), 'ns', type))) ?? '');
  return link ? link.inode : null;
}

/**
 * Read /proc/PID/ns/*. A link we may not read (EACCES) or that this kernel lacks (ENOENT)
 * is left out; a vanished process yields empty maps — callers decide from its stat.
 */
export async function readNamespaceLinks(procRoot: string, pid: number): Promise<ProcessNamespaceLinks> {
  const dir = path.join(procRoot, String(pid), 'ns');
  const namespaces: NamespaceInodes = {};
  const forChildren: Partial<Record<ForChildrenType, number>> = {};
  await Promise.all([
    ...NAMESPACE_TYPES.map(async (type) => {
      const link = parseNsLink((await readProcLink(path.join(dir, type))) ?? '');
      if (link) namespaces[type] = link.inode;
    }),
    ...FOR_CHILDREN_TYPES.map(async (type) => {
      const link = parseNsLink((await readProcLink(path.join(dir, `${type}_for_children`))) ?? '');
      if (link) forChildren[type] = link.inode;
    }),
  ]);
  return { namespaces, forChildren };
}
