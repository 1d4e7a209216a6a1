/**
 * Test support. Integration tests: a fresh managed root (`cgdash-test-<random>`) in every
 * hierarchy, and a cleanup that removes it on success or failure. Only the processes inside that
 * root are ever killed: the test put them there. Unit tests: the fixture trees in __fixtures__/
 * (read in place, or copied to a temp dir for tests that write).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execOk } from '@/server/lib/exec';
import type { WriteContext } from './driver';
import { openCgroupDir, type CgroupDir } from './fsio';
import { WriteJournal } from './journal';
import type { CgroupPlacement } from './model';
import { detectHierarchies, dirOf, type Detection } from './mounts';

export interface TestRoot {
  /** The CGDASH_CGROUP_ROOT value to hand to the code under test. */
  name: string;
  detection: Detection;
  /** On-disk directories of a path relative to the test root, one per hierarchy. */
  dirs(relative?: string): string[];
  cleanup(): Promise<void>;
}

export async function createTestRoot(options: { create?: boolean; absolute?: boolean } = {}): Promise<TestRoot> {
  // absolute: "/cgdash-test-…" below the root cgroup, for a pure v2 host where the test process
  // shares its cgroup with others (an ssh session) and so cannot hand controllers down there.
  const name = `${options.absolute ? '/' : ''}cgdash-test-${randomBytes(4).toString('hex')}`;
  const detection = await detectHierarchies({ managedRoot: name });
  const dirs = (relative = '') =>
    detection.hierarchies.map((h) => path.posix.join(dirOf(h, h.managedRoot), relative));
  if (options.create !== false) {
    for (const d of dirs()) await mkdir(d, { recursive: true });
  }
  return { name, detection, dirs, cleanup: () => removeTestTree(dirs()) };
}

/**
 * A test or hook timeout: as given on a real host, tripled in the cgroup v2 VM (V2VM=1), whose
 * software emulation runs everything 10-30x slower. For timeouts only, never for assertions.
 */
export function kernelTimeoutMs(hostMs: number): number {
  return process.env.V2VM === '1' ? hostMs * 3 : hostMs;
}

// ---- kernel files, read past the code under test ------------------------------------------

/** v1 mounts some controllers under another name than v2. */
const v1ControllerName: Record<string, string> = { io: 'blkio' };

export interface KernelFileText {
  version: 1 | 2;
  /** The file read, on disk. */
  file: string;
  /** Its content, trimmed. */
  text: string;
}

/**
 * A control file of `ref` read straight from cgroupfs, for tests that check what the kernel
 * holds rather than what the module reads back: the placement whose hierarchy carries
 * `controller` (v2 name; v1's blkio for io), with that hierarchy's file name. v2 core files
 * (`cgroup.*`, e.g. cgroup.freeze for the freezer) are in every v2 cgroup, controller or not.
 */
export async function readKernelFile(
  cgroups: { resolve(ref: string): CgroupPlacement[] },
  ref: string,
  controller: string,
  v1Name: string,
  v2Name: string,
): Promise<KernelFileText> {
  const placements = cgroups.resolve(ref);
  const v1 = placements.find((p) => p.version === 1 && p.controllers.includes(v1ControllerName[controller] ?? controller));
  const v2 = placements.find((p) => p.version === 2 && (p.controllers.includes(controller) || v2Name.startsWith('cgroup.')));
  const p = v1 ?? v2;
  if (!p) throw new Error(`no hierarchy of this host carries ${controller} for ${ref || '(managed root)'}`);
  const file = path.join(p.dir, p.version === 1 ? v1Name : v2Name);
  return { version: p.version, file, text: (await readFile(file, 'utf8')).trim() };
}

/** The trimmed content of a control file (see readKernelFile). */
export async function kernelFile(
  cgroups: { resolve(ref: string): CgroupPlacement[] },
  ref: string,
  controller: string,
  v1Name: string,
  v2Name: string,
): Promise<string> {
  return (await readKernelFile(cgroups, ref, controller, v1Name, v2Name)).text;
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

// ---- fixture trees (unit tests) -----------------------------------------------------------

/** The checked-in trees under __fixtures__/: a v1 host (cpu,cpuacct co-mounted) and a v2 host. */
export type FixtureVersion = 'v1' | 'v2';

export function fixturePath(version: FixtureVersion): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', version);
}

/** Options that point openCgroups/detectHierarchies at a fixture tree. */
export function fixtureRoots(root: string): { fsRoot: string; procRoot: string } {
  return { fsRoot: root, procRoot: path.join(root, 'proc') };
}

export interface FixtureCopy {
  root: string;
  /** Read a file of the copy, e.g. read("sys/fs/cgroup/cpu,cpuacct/x/cpu.shares"). */
  read(relative: string): Promise<string>;
  write(relative: string, content: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** A private copy of a fixture tree for tests that write (the checked-in tree stays as is). */
export async function copyFixture(version: FixtureVersion): Promise<FixtureCopy> {
  const root = await mkdtemp(path.join(tmpdir(), `cgdash-fixture-${version}-`));
  // cp -a keeps proc/self a relative symlink and is much faster than fs.cp for ~800 small files.
  await execOk('cp', ['-a', `${fixturePath(version)}/.`, root]);
  return {
    root,
    read: (relative) => readFile(path.join(root, relative), 'utf8'),
    write: (relative, content) => writeFile(path.join(root, relative), content),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A checked cgroup directory of a fixture tree, for driver-level tests. */
export async function fixtureDir(root: string, controller: string, cgroupPath: string): Promise<CgroupDir> {
  const { hierarchies } = await detectHierarchies({ managedRoot: 'cgdash', ...fixtureRoots(root) });
  const h = hierarchies.find((x) => x.controllers.includes(controller)) ?? hierarchies.find((x) => x.version === 2);
  if (!h) throw new Error(`fixture ${root} has no hierarchy for ${controller}`);
  const d = await openCgroupDir(h, cgroupPath);
  if (!d) throw new Error(`fixture ${root} has no cgroup ${cgroupPath} for ${controller}`);
  return d;
}

/** A fixture cgroup and the context a driver's check/apply needs, for driver-level write tests. */
export async function fixtureWriteTarget(root: string, controller: string, cgroupPath: string): Promise<{ d: CgroupDir; ctx: WriteContext }> {
  const d = await fixtureDir(root, controller, cgroupPath);
  const parent = cgroupPath === '/' ? null : await fixtureDir(root, controller, path.posix.dirname(cgroupPath));
  return { d, ctx: { journal: new WriteJournal(), roots: fixtureRoots(root), parent } };
}

// ---- processes for integration tests ------------------------------------------------------

export interface TestProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves when the process has printed `text` on stdout. */
  waitForOutput(text: string): Promise<void>;
  /** Write a line to its stdin. */
  send(line: string): void;
  /** Resolves with the signal (or exit code) when it ends. */
  exited: Promise<NodeJS.Signals | number | null>;
  kill(): void;
}

/**
 * Start a process for a test (argument array, no shell). Tests move it into their own cgroups;
 * kill it in afterAll (removeTestTree also kills what is left inside the test root).
 */
export function spawnTestProcess(file: string, args: readonly string[]): TestProcess {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    for (const w of waiters.filter((x) => out.includes(x.text))) w.resolve();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return {
    pid: child.pid,
    child,
    waitForOutput: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then((how) => reject(new Error(`${file} ended (${how}) before printing ${JSON.stringify(text)}`)));
      }),
    send: (line) => child.stdin?.write(`${line}\n`),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * A node process that allocates (and touches) `mib` MiB when told "alloc" on stdin, after the
 * test moved it: memory is charged to the cgroup a page is first touched in.
 */
export function spawnMemoryHog(mib: number): TestProcess {
  const script = `
    process.stdin.on('data', (d) => {
      if (String(d).includes('alloc')) { globalThis.keep = Buffer.alloc(${mib} * 1024 * 1024, 1); process.stdout.write('allocated\\n'); }
    });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1 << 30);`;
  return spawnTestProcess(process.execPath, ['-e', script]);
}
