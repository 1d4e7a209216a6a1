/**
 * Test support: an engine over a fresh managed cgroup root (`cgdash-test-<rand>`), a temp data
 * dir, a private run dir `/run/cgdash-test-<rand>` (runc state, exit files) and an in-memory
 * database; `cleanup()` kills and deletes every container the test made, then removes the
 * cgroups, the run dir and the data dir — on failure too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { createTestRoot, type TestRoot } from '@/server/cgroup/testing';
import { openDatabase, type Db } from '@/server/db';
import { exec } from '@/server/lib/exec';
import { Engine, type EngineOptions } from './engine';
import { ImageStore } from './images/store';
import { runtimeMigrations } from './schema';
import { unmountAllUnder } from './images/rootfs';

export interface TestEngine {
  engine: Engine;
  root: TestRoot;
  /** The cgroup manager of the first engine, for reading the kernel's files (kernelFile). */
  cgroups: CgroupManager;
  db: Db;
  dataDir: string;
  runDir: string;
  /** Open another engine over the same directories and database (a "server restart"). */
  reopen(overrides?: Partial<EngineOptions>): Promise<Engine>;
  cleanup(): Promise<void>;
}

/** Images are built once per test run and copied: busybox takes a second to make. */
let sharedImages: string | null = null;

export async function sharedBusyboxLayout(): Promise<string> {
  if (sharedImages) return sharedImages;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-images-shared-'));
  const store = new ImageStore(path.join(dir, 'images'));
  await store.ensureBusybox();
  sharedImages = store.layout;
  return sharedImages;
}

export async function createTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const root = await createTestRoot();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-data-'));
  const runDir = `/run/cgdash-test-${randomBytes(4).toString('hex')}`;
  const db = openDatabase(':memory:', runtimeMigrations);
  const engines: Engine[] = [];
  const open = async (overrides: Partial<EngineOptions> = {}) => {
    const cgroups = await openCgroups({ managedRoot: root.name });
    const engine = await Engine.open({ dataDir, runDir, db, cgroups, exitPollMs: 200, ...options, ...overrides });
    engines.push(engine);
    return engine;
  };
  const cleanup = async () => {
    // Through the engine first, so the network plugins take back their veths and iptables rules;
    // then by force whatever that could not remove (a test that broke a container on purpose).
    for (const e of engines) await removeAllContainers(e);
    for (const e of engines) e.close();
    const runtimeRoot = path.join(runDir, 'runc');
    // conmons of this test: their pid files are in the bundles
    const conmons: number[] = [];
    const containers = await readdir(path.join(dataDir, 'containers')).catch(() => []);
    for (const id of containers) {
      const pid = Number((await readFile(path.join(dataDir, 'containers', id, 'userdata', 'conmon.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) conmons.push(pid);
    }
    // The runtime the engines chose (runc, or crun where configured): their state formats differ.
    for (const runtime of new Set(engines.map((e) => e.runtimeChoice.binary))) {
      const listed = await exec(runtime, ['--root', runtimeRoot, 'list', '-q']);
      for (const id of listed.stdout.split('\n').filter(Boolean)) {
        await exec(runtime, ['--root', runtimeRoot, 'delete', '--force', id]);
      }
    }
    for (const pid of conmons) {
      try {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.startsWith('conmon') || cmdline.includes('/conmon')) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      await root.cleanup();
    } finally {
      db.close();
      await rm(runDir, { recursive: true, force: true });
      await unmountAllUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const shared = await sharedBusyboxLayout();
    await exec('cp', ['-a', shared, path.join(dataDir, 'images')]);
    const engine = await open();
    return { engine, root, cgroups: await openCgroups({ managedRoot: root.name }), db, dataDir, runDir, reopen: open, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Force-remove every container an engine knows, as `rm --force` does; errors are left to the fallback. */
export async function removeAllContainers(engine: Engine): Promise<void> {
  for (const c of engine.list({ all: true })) await engine.remove(c.id, { force: true }).catch(() => undefined);
}

export async function removeSharedImages(): Promise<void> {
  if (sharedImages) await rm(path.dirname(sharedImages), { recursive: true, force: true });
  sharedImages = null;
}
