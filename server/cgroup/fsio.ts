/**
 * The one module that touches cgroup files (and the few /proc and /sys files cgroup code needs).
 * Every cgroup directory is reached through `openCgroupDir`, which keeps it beneath the
 * hierarchy's mount point and lstat()s every component (on a mounted cgroupfs, where no symlink
 * can exist, the directory itself), so a symlink planted in a fixture tree can never redirect a
 * privileged write. Files are opened with
 * O_NOFOLLOW, never created, and written with a single write() as cgroupfs expects.
 */
import { closeSync, constants, lstatSync, openSync, readSync, statfsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, readlink, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError, errnoOf, kernelFileError } from '@/server/lib/errors';
import { dirOf } from './mounts';
import type { Hierarchy } from './model';

const verified: unique symbol = Symbol('verified cgroup dir');

/** A cgroup directory that has been confined and checked; only this module can make one. */
export interface CgroupDir {
  readonly hierarchy: Hierarchy;
  /** Absolute cgroup path inside the hierarchy, e.g. "/cgdash/web". */
  readonly path: string;
  /** The directory on disk. */
  readonly dir: string;
  readonly [verified]: true;
}

/** errno codes that mean "this optional file is not there on this kernel/cgroup". */
const absentCodes = new Set(['ENOENT', 'ENODEV', 'EOPNOTSUPP', 'ENOTSUP']);

export function isAbsentError(err: unknown): boolean {
  const code = errnoOf(err) ?? errnoOf((err as { cause?: unknown } | null)?.cause);
  return code !== undefined && absentCodes.has(code);
}

/** Control file names are plain words with dots ("memory.max"); anything else is a bug. */
function checkFileName(file: string): void {
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/i.test(file)) {
    throw new CgdashError('internal', `refusing to touch ${JSON.stringify(file)}: not a cgroup control file name`);
  }
}

function onDisk(h: Hierarchy, cgroupPath: string): string {
  let dir: string;
  try {
    dir = dirOf(h, cgroupPath);
  } catch (err) {
    throw new CgdashError('invalid', (err as Error).message, { cause: err });
  }
  const rel = path.posix.relative(h.mountPoint, dir);
  if (rel.startsWith('..') || path.posix.isAbsolute(rel)) {
    throw new CgdashError('invalid', `cgroup ${cgroupPath} resolves outside ${h.mountPoint}`);
  }
  return dir;
}

/** The mount point and every directory below it down to `rel`. */
function componentDirs(mountPoint: string, rel: string): string[] {
  const dirs = [mountPoint];
  for (const part of rel ? rel.split('/') : []) dirs.push(path.posix.join(dirs[dirs.length - 1]!, part));
  return dirs;
}

const CGROUP_SUPER_MAGIC = 0x27e0eb;
const CGROUP2_SUPER_MAGIC = 0x63677270;
const mountedCgroupFs = new Map<string, boolean>();

/** Whether a hierarchy's mount point is cgroupfs itself (fixture trees are ordinary directories). */
export function isMountedCgroupFs(h: Hierarchy): boolean {
  let known = mountedCgroupFs.get(h.mountPoint);
  if (known === undefined) {
    try {
      const type = statfsSync(h.mountPoint).type;
      known = type === CGROUP_SUPER_MAGIC || type === CGROUP2_SUPER_MAGIC;
    } catch {
      known = false;
    }
    mountedCgroupFs.set(h.mountPoint, known);
  }
  return known;
}

/**
 * Confine and check a cgroup directory. Returns null when it does not exist (ENOENT anywhere
 * on the way); throws when a component is a symlink or not a directory.
 */
export async function openCgroupDir(h: Hierarchy, cgroupPath: string): Promise<CgroupDir | null> {
  const dir = onDisk(h, cgroupPath);
  const rel = path.posix.relative(h.mountPoint, dir);
  // On a mounted cgroupfs no component can be a symlink (the kernel refuses symlink() there),
  // so the directory itself is enough to check: one lstat instead of one per component, which
  // matters to the background limits reads (10 hierarchies × the depth, for every cgroup).
  for (const current of isMountedCgroupFs(h) ? [dir] : componentDirs(h.mountPoint, rel)) {
    let st;
    try {
      st = lstatSync(current); // synchronous for the reason given at readCgroupFile
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      if (errnoOf(err) === 'ENOTDIR') throw new CgdashError('invalid', `${dir} is not a cgroup directory`, { file: dir });
      throw kernelFileError(err, { action: 'open', file: current });
    }
    if (st.isSymbolicLink()) {
      throw new CgdashError('invalid', `${current} is a symbolic link; cgroup paths must not contain links`, { file: current });
    }
    if (!st.isDirectory()) {
      throw new CgdashError('invalid', `${current} is not a cgroup directory`, { file: current });
    }
  }
  return { hierarchy: h, path: cgroupPath, dir, [verified]: true };
}

/**
 * A child directory found by `childNames` (readdir already said it is a directory, not a link):
 * checks only the last component instead of the whole path again. For walking a tree.
 */
export async function openChildDir(parent: CgroupDir, name: string): Promise<CgroupDir | null> {
  if (!name || name.includes('/') || name === '.' || name === '..') return null;
  const dir = path.posix.join(parent.dir, name);
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) return null;
  } catch {
    return null; // vanished while walking
  }
  return { hierarchy: parent.hierarchy, path: path.posix.join(parent.path, name), dir, [verified]: true };
}

export function fileOf(d: CgroupDir, file: string): string {
  checkFileName(file);
  return path.posix.join(d.dir, file);
}

/**
 * Read a control file; a missing file is an error (use `readOptional` for optional ones).
 *
 * Synchronous on purpose: cgroupfs generates a control file's text in memory and never waits
 * on a device, so a read takes microseconds, while fs/promises spends four thread-pool round
 * trips (open, fstat, read, close) on it: 6–8× the CPU for the `get` of one cgroup. The
 * function stays async for its callers, and no caller reads more than a few dozen files
 * between awaits, so the event loop is never held for long.
 */
export async function readCgroupFile(d: CgroupDir, file: string): Promise<string> {
  const p = fileOf(d, file);
  try {
    return readWholeSync(p);
  } catch (err) {
    throw kernelFileError(err, { action: 'read', file: p });
  }
}

/** Scratch space for synchronous reads: safe to share, nothing else runs during one. */
let scratch = Buffer.allocUnsafe(64 * 1024);

function readWholeSync(p: string): string {
  const fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW); // close-on-exec, as Node opens every fd
  try {
    // cgroupfs reports size 0 (or 4096) whatever the text: read until end of file.
    let length = 0;
    for (;;) {
      if (length === scratch.length) scratch = Buffer.concat([scratch, Buffer.allocUnsafe(scratch.length)]);
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return scratch.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** Read a control file that a kernel or cgroup may not have: null when absent. */
export async function readOptional(d: CgroupDir, file: string): Promise<string | null> {
  try {
    return await readCgroupFile(d, file);
  } catch (err) {
    if (isAbsentError(err)) return null;
    throw err;
  }
}

export async function hasFile(d: CgroupDir, file: string): Promise<boolean> {
  try {
    lstatSync(fileOf(d, file));
    return true;
  } catch {
    return false;
  }
}

/**
 * Write a value to a control file in one write(). Never creates the file: a missing file means
 * the controller is absent, and that must surface as an error, not as a new regular file.
 */
export async function writeCgroupFile(d: CgroupDir, file: string, value: string, field?: string): Promise<void> {
  const p = fileOf(d, file);
  try {
    const fh = await open(p, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.from(value);
      const { bytesWritten } = await fh.write(buf, 0, buf.length, null);
      if (bytesWritten !== buf.length) throw Object.assign(new Error('short write'), { code: 'EIO' });
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw kernelFileError(err, { action: 'write', file: p, value, field });
  }
}

/** Names of the child cgroups (directories only: never follows a link). */
export async function childNames(d: CgroupDir): Promise<string[]> {
  try {
    const entries = await readdir(d.dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw kernelFileError(err, { action: 'read', file: d.dir });
  }
}

/** Child directory of a checked parent; returns whether it was created (false: existed). */
export async function makeChildDir(parent: CgroupDir, name: string): Promise<boolean> {
  if (!name || name.includes('/') || name === '.' || name === '..') {
    throw new CgdashError('internal', `refusing to create ${JSON.stringify(name)}`);
  }
  const dir = path.posix.join(parent.dir, name);
  try {
    await mkdir(dir);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw kernelFileError(err, { action: 'mkdir', file: dir });
  }
}

export async function removeCgroupDir(d: CgroupDir): Promise<void> {
  try {
    await rmdir(d.dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw kernelFileError(err, { action: 'rmdir', file: d.dir });
  }
}

// ---- /proc and /sys -----------------------------------------------------------------------

/** Where the host's /proc and / are (a fixture tree in unit tests). */
export interface HostRoots {
  fsRoot: string;
  procRoot: string;
}

/** `/proc/<pid>/<file>`; null when the process is gone. */
export async function readProcFile(roots: HostRoots, pid: number | 'self', file: 'cgroup' | 'stat'): Promise<string | null> {
  if (pid !== 'self' && !(Number.isSafeInteger(pid) && pid > 0)) {
    throw new CgdashError('invalid', `${pid} is not a process id`, { field: 'pid' });
  }
  const p = path.posix.join(roots.procRoot, String(pid), file);
  try {
    return await readFile(p, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ESRCH') return null;
    throw kernelFileError(err, { action: 'read', file: p });
  }
}

/** The pid behind /proc/self: the server process (a fixture names its own). */
export async function selfPid(roots: HostRoots): Promise<number> {
  const target = await readlink(path.posix.join(roots.procRoot, 'self'));
  const pid = Number(path.posix.basename(target));
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new CgdashError('internal', `${roots.procRoot}/self points at ${target}, not at a pid`);
  }
  return pid;
}

/** Whether block device MAJ:MIN exists (/sys/dev/block/MAJ:MIN). */
export async function blockDeviceExists(roots: HostRoots, device: string): Promise<boolean> {
  if (!/^\d+:\d+$/.test(device)) return false;
  try {
    await stat(path.posix.join(roots.fsRoot || '/', 'sys/dev/block', device));
    return true;
  } catch {
    return false;
  }
}
