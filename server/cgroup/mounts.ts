import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CgroupMode, Hierarchy } from './model';

/** One line of /proc/PID/mountinfo, the fields cgroup detection needs. */
export interface MountInfoEntry {
  mountId: number;
  /** Path inside the mounted filesystem that is the mount's root. */
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** One line of /proc/PID/cgroup: `hierarchy-id:controller-list:path`. */
export interface ProcCgroupEntry {
  hierarchyId: number;
  /** v1: ["cpu","cpuacct"] or ["name=systemd"]; v2: []. */
  controllers: string[];
  path: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6 || fields.length < sep + 4) continue;
    entries.push({
      mountId: Number(fields[0]),
      root: unescapeMountField(fields[3] ?? '/'),
      mountPoint: unescapeMountField(fields[4] ?? ''),
      fsType: fields[sep + 1] ?? '',
      superOptions: (fields[sep + 3] ?? '').split(','),
    });
  }
  return entries;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const list = line.slice(first + 1, second);
    entries.push({
      hierarchyId: Number(line.slice(0, first)),
      controllers: list ? list.split(',') : [],
      path: line.slice(second + 1),
    });
  }
  return entries;
}

/** Mount options of a cgroup v1 mount that are not controller names. */
const v1NonControllerOptions = new Set([
  'rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'xattr', 'noprefix',
  'clone_children', 'cpuset_v2_mode', 'favordynmods', 'all', 'none',
]);

function v1ControllersOf(superOptions: string[]): string[] {
  return superOptions.filter(
    (o) => o && !v1NonControllerOptions.has(o) && !o.startsWith('release_agent='),
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export interface DetectOptions {
  /** Prefix for every mount point (a fixture tree); "" on a real host. */
  fsRoot?: string;
  /** Where /proc is; "/proc" on a real host. */
  procRoot?: string;
  /** CGDASH_CGROUP_ROOT: relative to the server's own cgroup, or absolute. */
  managedRoot: string;
}

export interface Detection {
  mode: CgroupMode;
  hierarchies: Hierarchy[];
}

/**
 * Resolve the managed root in one hierarchy the way runc resolves a relative cgroupsPath:
 * relative names hang below the process's own cgroup there, absolute ones are taken as given.
 */
export function managedRootIn(selfPath: string, managedRoot: string): string {
  return managedRoot.startsWith('/') ? path.posix.normalize(managedRoot) : path.posix.join(selfPath, managedRoot);
}

/**
 * Which cgroup hierarchies are mounted, from mountinfo — never from a guess at /sys/fs/cgroup.
 * v2 controllers come from the unified root's cgroup.controllers (empty in hybrid mode).
 */
export async function detectHierarchies(options: DetectOptions): Promise<Detection> {
  const fsRoot = options.fsRoot ?? '';
  const procRoot = options.procRoot ?? '/proc';
  const mounts = parseMountInfo(await readFile(path.join(procRoot, 'self/mountinfo'), 'utf8'));
  const self = parseProcCgroup(await readFile(path.join(procRoot, 'self/cgroup'), 'utf8'));

  const hierarchies: Hierarchy[] = [];
  const seenV1 = new Set<number>();
  let v2Seen = false;
  for (const m of mounts) {
    if (m.fsType === 'cgroup') {
      const controllers = v1ControllersOf(m.superOptions);
      const entry = self.find((e) => e.hierarchyId !== 0 && sameSet(e.controllers, controllers));
      if (!entry || seenV1.has(entry.hierarchyId)) continue; // bind mount of a hierarchy already seen
      seenV1.add(entry.hierarchyId);
      hierarchies.push(hierarchy(entry.hierarchyId, 1, fsRoot + m.mountPoint, m.root, controllers, entry.path, options.managedRoot));
    } else if (m.fsType === 'cgroup2' && !v2Seen) {
      v2Seen = true;
      const entry = self.find((e) => e.hierarchyId === 0);
      let controllers: string[] = [];
      try {
        const text = await readFile(path.join(fsRoot + m.mountPoint, 'cgroup.controllers'), 'utf8');
        controllers = text.split(/\s+/).filter(Boolean);
      } catch {
        controllers = [];
      }
      hierarchies.push(hierarchy(0, 2, fsRoot + m.mountPoint, m.root, controllers, entry?.path ?? '/', options.managedRoot));
    }
  }
  const hasV1Controllers = hierarchies.some((h) => h.version === 1 && h.controllers.some((c) => !c.startsWith('name=')));
  const mode: CgroupMode = hasV1Controllers ? (v2Seen ? 'hybrid' : 'v1') : 'v2';
  hierarchies.sort((a, b) => a.id - b.id);
  return { mode, hierarchies };
}

function hierarchy(
  id: number,
  version: 1 | 2,
  mountPoint: string,
  mountRoot: string,
  controllers: string[],
  selfPath: string,
  managedRoot: string,
): Hierarchy {
  return { id, version, mountPoint, mountRoot, controllers, selfPath, managedRoot: managedRootIn(selfPath, managedRoot) };
}

/** Directory of an absolute cgroup path within a hierarchy, honouring a mount of a sub-tree. */
export function dirOf(h: Hierarchy, cgroupPath: string): string {
  const rel = path.posix.relative(h.mountRoot, cgroupPath);
  if (rel.startsWith('..')) {
    throw new Error(`cgroup ${cgroupPath} is outside the mounted part (${h.mountRoot}) of ${h.mountPoint}`);
  }
  return rel ? path.posix.join(h.mountPoint, rel) : h.mountPoint;
}
