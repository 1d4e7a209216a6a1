/**
 * Cgroup references as callers write them, and where they live in each hierarchy.
 *
 * A ref is written as in /proc/PID/cgroup. With a leading "/" it is absolute: the same path in
 * every hierarchy. Without it, it is relative to the managed root, which itself is resolved per
 * hierarchy relative to the server's own cgroup there (as runc resolves a relative cgroupsPath),
 * so "web" may be /cgdash/web in one hierarchy and /process_api/x/cgdash/web in another.
 * "" names the managed root itself. Pure: no file system access.
 */
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { dirOf } from './mounts';
import type { CgroupPlacement, Hierarchy } from './model';

/** Prefixes of control files: a cgroup named like one could shadow or be confused with it. */
const controlFilePrefixes = [
  'cgroup', 'cpu', 'cpuacct', 'cpuset', 'memory', 'io', 'pids', 'blkio', 'freezer', 'devices',
  'hugetlb', 'rdma', 'misc', 'net_cls', 'net_prio', 'perf_event',
];
const controlFileNames = new Set(['notify_on_release', 'release_agent', 'tasks']);
const MAX_NAME_BYTES = 255;

/** Why a single path segment is not an acceptable cgroup name, or null if it is fine. */
export function badSegment(segment: string): string | null {
  if (segment === '') return 'empty path segment ("//" or a trailing "/")';
  if (segment === '..' || segment === '.') return `"${segment}" is not allowed in a cgroup path`;
  if (segment.includes('\0')) return 'NUL byte in a cgroup name';
  // /proc/PID/cgroup is line based and the UI prints names: control characters have no place.
  if (/[\x00-\x1f\x7f]/.test(segment)) return `control character in cgroup name ${JSON.stringify(segment)}`;
  if (segment.startsWith('.')) return `cgroup name ${JSON.stringify(segment)} starts with a dot`;
  if (Buffer.byteLength(segment) > MAX_NAME_BYTES) return `cgroup name is longer than ${MAX_NAME_BYTES} bytes`;
  if (controlFileNames.has(segment) || controlFilePrefixes.some((p) => segment.startsWith(`${p}.`))) {
    return `cgroup name ${JSON.stringify(segment)} looks like a control file`;
  }
  return null;
}

export interface ParsedRef {
  /** Absolute ("/a/b", "/") or relative to the managed root ("a/b", "" for the root itself). */
  kind: 'absolute' | 'relative';
  segments: string[];
  /** Normalised spelling: "/a/b" or "a/b". */
  text: string;
}

export function parseRef(ref: string, field = 'cgroup'): ParsedRef {
  if (typeof ref !== 'string') throw new CgdashError('invalid', `${field}: a cgroup path is required`, { field });
  const absolute = ref.startsWith('/');
  const body = absolute ? ref.slice(1) : ref;
  const segments = body === '' ? [] : body.split('/');
  for (const s of segments) {
    const why = badSegment(s);
    if (why) throw new CgdashError('invalid', `${field} ${JSON.stringify(ref)}: ${why}`, { field, value: ref });
  }
  return { kind: absolute ? 'absolute' : 'relative', segments, text: (absolute ? '/' : '') + segments.join('/') };
}

/** Check the configured managed root (CGDASH_CGROUP_ROOT); it must name a cgroup below something. */
export function parseManagedRootName(name: string): ParsedRef {
  const parsed = parseRef(name, 'CGDASH_CGROUP_ROOT');
  if (parsed.segments.length === 0) {
    throw new CgdashError('invalid', 'CGDASH_CGROUP_ROOT must name a cgroup, not the root of the hierarchy', { field: 'CGDASH_CGROUP_ROOT' });
  }
  return parsed;
}

/** Absolute path of a ref in one hierarchy. */
export function pathIn(h: Hierarchy, ref: ParsedRef): string {
  const base = ref.kind === 'absolute' ? '/' : h.managedRoot;
  return path.posix.join(base, ...ref.segments);
}

/** Whether an absolute cgroup path is the managed root of `h` or below it. */
export function isManagedIn(h: Hierarchy, cgroupPath: string): boolean {
  return cgroupPath === h.managedRoot || cgroupPath.startsWith(`${h.managedRoot}/`);
}

/** The path relative to the managed root, or null outside it. */
export function managedPathIn(h: Hierarchy, cgroupPath: string): string | null {
  if (cgroupPath === h.managedRoot) return '';
  return cgroupPath.startsWith(`${h.managedRoot}/`) ? cgroupPath.slice(h.managedRoot.length + 1) : null;
}

/** Where a ref lives in every hierarchy whose mount can reach it (no file system access). */
export function placementsOf(hierarchies: readonly Hierarchy[], ref: ParsedRef): CgroupPlacement[] {
  const out: CgroupPlacement[] = [];
  for (const h of hierarchies) {
    const p = pathIn(h, ref);
    let dir: string;
    try {
      dir = dirOf(h, p);
    } catch {
      continue; // outside the part of the hierarchy this mount shows
    }
    out.push({ hierarchyId: h.id, version: h.version, controllers: h.controllers, path: p, dir });
  }
  return out;
}

/** Refuse a write outside the managed root unless the caller confirmed it. */
export function assertWritable(
  hierarchies: readonly Hierarchy[],
  placements: readonly CgroupPlacement[],
  ref: ParsedRef,
  allowUnmanaged: boolean | undefined,
  action: string,
): void {
  if (allowUnmanaged) return;
  const outside = placements.filter((p) => {
    const h = hierarchies.find((x) => x.id === p.hierarchyId);
    return !h || !isManagedIn(h, p.path);
  });
  if (outside.length > 0) {
    const first = outside[0];
    throw new CgdashError(
      'forbidden',
      `refusing to ${action} ${ref.text || '(managed root)'}: ${first?.path} is outside cgdash's managed cgroups` +
        ` (${outside.length} hierarch${outside.length === 1 ? 'y' : 'ies'}); confirm with allowUnmanaged to change a cgroup cgdash does not own`,
      { value: ref.text },
    );
  }
}
