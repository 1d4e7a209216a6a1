/**
 * Test support: a fresh managed root (`cgdash-test-<random>`) in every hierarchy, and a cleanup
 * that removes it on success or failure. Only the processes inside that root are ever killed:
 * the test put them there.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { detectHierarchies, dirOf, type Detection } from './mounts';

export interface TestRoot {
  /** The CGDASH_CGROUP_ROOT value to hand to the code under test. */
  name: string;
  detection: Detection;
  /** On-disk directories of a path relative to the test root, one per hierarchy. */
  dirs(relative?: string): string[];
  cleanup(): Promise<void>;
}

export async function createTestRoot(options: { create?: boolean } = {}): Promise<TestRoot> {
  const name = `cgdash-test-${randomBytes(4).toString('hex')}`;
  const detection = await detectHierarchies({ managedRoot: name });
  const dirs = (relative = '') =>
    detection.hierarchies.map((h) => path.posix.join(dirOf(h, h.managedRoot), relative));
  if (options.create !== false) {
    for (const d of dirs()) await mkdir(d, { recursive: true });
  }
  return { name, detection, dirs, cleanup: () => removeTestTree(dirs()) };
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

async function pidsIn(dir: string): Promise<number[]> {
  try {
    return (await readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function thawV1(dir: string): Promise<void> {
  try {
    const state = (await readFile(path.join(dir, 'freezer.state'), 'utf8')).trim();
    if (state !== 'THAWED') await writeFile(path.join(dir, 'freezer.state'), 'THAWED');
  } catch {
    /* not a freezer hierarchy */
  }
}

async function removeDir(dir: string): Promise<void> {
  for (const child of await subdirs(dir)) await removeDir(child);
  await thawV1(dir);
  try {
    await writeFile(path.join(dir, 'cgroup.freeze'), '0');
  } catch {
    /* v1, or no freezer */
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const pids = await pidsIn(dir);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`test cleanup: ${dir} is still busy after 5 s`);
}

export async function removeTestTree(roots: string[]): Promise<void> {
  const failures: string[] = [];
  for (const root of roots) {
    try {
      await removeDir(root);
    } catch (err) {
      failures.push(String(err));
    }
  }
  if (failures.length) throw new Error(failures.join('\n'));
}
