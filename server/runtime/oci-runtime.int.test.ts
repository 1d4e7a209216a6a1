/**
 * Which OCI runtime works on this host, checked against the runtimes themselves. `auto` is runc
 * on every cgroup layout; crun is opt-in (CGDASH_RUNTIME=crun) where it works: crun 1.8 refuses
 * hybrid hosts. Where crun works, the engine is also driven through it, for what its CLI does
 * differently from runc's (resources from a file, its answer to a signal for an ended container).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupMode } from '@/server/cgroup/model';
import { createTestRoot, readKernelFile, type TestRoot } from '@/server/cgroup/testing';
import { exec } from '@/server/lib/exec';
import { unmountAllUnder } from './images/rootfs';
import { ImageStore } from './images/store';
import { hostCapabilities, hostNofileLimit } from './host-refs';
import { buildOciConfig } from './oci';
import { chooseRuntime } from './oci-runtime';
import { parseContainerSpec } from './spec';
import { createTestEngine, removeSharedImages, sharedBusyboxLayout, type TestEngine } from './testing';

const MiB = 1024 * 1024;
let root: TestRoot;
let mode: CgroupMode;
let dir: string;

beforeAll(async () => {
  root = await createTestRoot();
  mode = root.detection.mode;
  dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-rt-'));
});

afterAll(async () => {
  await exec('crun', ['--root', path.join(dir, 'crun'), 'delete', '--force', 'probe']);
  await exec('runc', ['--root', path.join(dir, 'runc'), 'delete', '--force', 'probe']);
  await root?.cleanup();
  if (dir) await unmountAllUnder(dir); // the bundles' overlay rootfs (images/rootfs.ts)
  await rm(dir, { recursive: true, force: true });
  await removeSharedImages();
});

async function bundle(): Promise<string> {
  const store = new ImageStore(await sharedBusyboxLayout());
  const b = path.join(dir, `bundle-${Math.random().toString(36).slice(2)}`);
  await store.unpack('busybox', b);
  const config = buildOciConfig(parseContainerSpec({ image: 'busybox', command: ['true'] }), {}, {
    cgroupsPath: `${root.name}/probe`,
    hostname: 'probe',
    namespacePaths: {},
    cgroupVersion: mode === 'v2' ? 2 : 1,
    nofile: await hostNofileLimit(),
    availableCaps: await hostCapabilities(),
  });
  await writeFile(path.join(b, 'config.json'), JSON.stringify(config));
  return b;
}

describe('runtime choice on this host', () => {
  it('auto picks runc on every cgroup layout; an explicit crun only where crun works', async () => {
    expect(await chooseRuntime('auto', mode)).toMatchObject({ name: 'runc', binary: expect.stringMatching(/\/runc$/) });
    expect(await chooseRuntime('runc', mode)).toMatchObject({ name: 'runc' });
    if (mode === 'hybrid') {
      await expect(chooseRuntime('crun', mode)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/hybrid/) });
    } else {
      expect(await chooseRuntime('crun', mode)).toMatchObject({ name: 'crun', binary: expect.stringMatching(/\/crun$/) });
    }
  });

  it('runc runs a bundle; crun runs the same bundle, or refuses it on a hybrid host', async () => {
    const b = await bundle();
    const runc = await exec('runc', ['--root', path.join(dir, 'runc'), 'run', '--bundle', b, 'probe'], { timeoutMs: 60_000 });
    expect(runc.code, runc.stderr).toBe(0);
    const crun = await exec('crun', ['--root', path.join(dir, 'crun'), 'run', '--bundle', b, 'probe'], { timeoutMs: 60_000 });
    if (mode === 'hybrid') {
      expect(crun.code).not.toBe(0);
      expect(crun.stderr).toMatch(/hybrid mode not supported/);
    } else {
      expect(crun.code, crun.stderr).toBe(0);
    }
  });
});

describe('the engine on crun, where configured', () => {
  let t: TestEngine | undefined;
  const refused = 'crun refuses cgroup hybrid mode (checked above): there is no crun engine on this host';

  beforeAll(async () => {
    if (mode !== 'hybrid') t = await createTestEngine({ runtime: 'crun' });
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  async function expectKernelFile(ref: string, controller: string, v1: [file: string, value: string], v2: [file: string, value: string]): Promise<void> {
    const read = await readKernelFile(t?.cgroups ?? { resolve: () => [] }, ref, controller, v1[0], v2[0]);
    expect(read.text, read.file).toBe(read.version === 1 ? v1[1] : v2[1]);
  }

  it('runs a container with limits, updates them live, pauses it and stops it', async (ctx) => {
    if (!t) return ctx.skip(refused);
    const engine = t.engine;
    expect(engine.runtimeChoice.name).toBe('crun');
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], limits: { memory: '64m', pidsLimit: 50 } });
    await expectKernelFile(rec.cgroupRef, 'memory', ['memory.limit_in_bytes', String(64 * MiB)], ['memory.max', String(64 * MiB)]);
    // crun reads --resources by path: from a file, not from Node's socket stdin
    const updated = await engine.update(rec.id, { memory: '128m', pidsLimit: 100 });
    expect(updated.kernel).toMatchObject({ memory: { max: BigInt(128 * MiB) }, pids: { max: 100 } });
    await expectKernelFile(rec.cgroupRef, 'memory', ['memory.limit_in_bytes', String(128 * MiB)], ['memory.max', String(128 * MiB)]);
    await expectKernelFile(rec.cgroupRef, 'pids', ['pids.max', '100'], ['pids.max', '100']);
    await engine.pause(rec.id);
    await expectKernelFile(rec.cgroupRef, 'freezer', ['freezer.state', 'FROZEN'], ['cgroup.freeze', '1']);
    await engine.unpause(rec.id);
    expect(engine.get(rec.id).state).toBe('running');
    // sleep as PID 1 ignores SIGTERM: SIGKILL after the timeout
    expect((await engine.stop(rec.id, { timeoutSec: 1 })).exitCode).toBe(137);
    await engine.remove(rec.id);
  });

  it('says a container whose process has ended is gone when signalled', async (ctx) => {
    if (!t) return ctx.skip(refused);
    const rec = await t.engine.create({ image: 'busybox', command: ['true'] });
    // No engine watches: the runtime keeps the ended container's state for the signal to hit.
    t.engine.close();
    const runtime = t.engine.runtime;
    await runtime.start(rec.id);
    for (let i = 0; (await runtime.state(rec.id))?.status !== 'stopped'; i++) {
      if (i > 600) throw new Error('the container did not stop');
      await new Promise((r) => setTimeout(r, 50));
    }
    // crun: "open pidfd: No such process"; the engine treats not_found as gone already
    await expect(runtime.kill(rec.id, 'SIGTERM')).rejects.toMatchObject({ kind: 'not_found' });
    const next = await t.reopen();
    expect(next.get(rec.id)).toMatchObject({ state: 'exited', exitCode: 0 });
    await next.remove(rec.id);
  });
});
