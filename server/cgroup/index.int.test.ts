/**
 * The cgroup manager against this machine's real cgroupfs. Written for any layout: on the
 * hybrid development machines it drives the v1 controllers (and the controller-less unified
 * mount); on a pure v2 host the v2 controllers. A test of one controller is skipped, with the
 * reason, only where that controller is genuinely absent for the test's cgroups.
 */
import { readdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCgdashError } from '@/server/lib/errors';
import { isMountedCgroupFs } from './fsio';
import { openCgroups, type CgroupManager, type Limits, type LimitsPatch } from './index';
import { createTestRoot, spawnMemoryHog, spawnTestProcess, type TestProcess, type TestRoot } from './testing';
import { weightToShares } from './v1/cpu';
import { ioWeightToBfq, ioWeightToCfq } from './v1/blkio';

const MiB = 1n << 20n;

let root: TestRoot;
let m: CgroupManager;
/** Why the relative test root could not be used (pure v2, test process not alone in its cgroup). */
let delegationRefused: string | null = null;
const processes: TestProcess[] = [];

function startSleeper(): TestProcess {
  const p = spawnTestProcess('sleep', ['1000']);
  processes.push(p);
  return p;
}

async function exists(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Raw content of `file` in every placement of `ref` that has it. */
async function kernelFiles(ref: string, file: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of m.resolve(ref)) {
    try {
      out.push((await readFile(path.join(p.dir, file), 'utf8')).trim());
    } catch {
      /* not this hierarchy's file */
    }
  }
  return out;
}

/** A whole block device of this host ("MAJ:MIN"), not a loop or zram device. */
async function realDisk(): Promise<string | null> {
  for (const name of (await readdir('/sys/block')).sort()) {
    if (/^(loop|zram|ram|sr)/.test(name)) continue;
    return (await readFile(`/sys/block/${name}/dev`, 'utf8')).trim();
  }
  return null;
}

beforeAll(async () => {
  root = await createTestRoot();
  m = await openCgroups({ managedRoot: root.name });
  try {
    await m.ensureManagedRoot();
  } catch (err) {
    if (!(isCgdashError(err) && err.kind === 'busy' && m.mode === 'v2')) throw err;
    // The refusal is the designed behaviour (foreign processes share the test's cgroup); carry on
    // below the root cgroup, which the no-internal-processes rule exempts.
    delegationRefused = err.message;
    await root.cleanup();
    root = await createTestRoot({ absolute: true });
    m = await openCgroups({ managedRoot: root.name });
    await m.ensureManagedRoot();
  }
  await m.create('limits');
});

afterAll(async () => {
  for (const p of processes) p.kill();
  try {
    await root?.cleanup();
  } finally {
    await m?.releaseManagedRoot();
  }
});

describe('the managed root', () => {
  it('resolves per hierarchy relative to the server cgroup, as runc does', async () => {
    for (const h of m.hierarchies) {
      const expected = root.name.startsWith('/') ? root.name : path.posix.join(h.selfPath, root.name);
      expect(h.managedRoot).toBe(expected);
      const [placement] = m.resolve('').filter((p) => p.hierarchyId === h.id);
      expect(placement?.path).toBe(expected);
      expect(await exists(placement?.dir ?? '')).toBe(true);
    }
    if (delegationRefused) expect(delegationRefused).toMatch(/cgdash moves only itself|no internal processes/);
  });

  it('creates a logical cgroup in every mounted hierarchy and lists it', async () => {
    const placements = m.resolve('limits');
    expect(placements).toHaveLength(m.hierarchies.length);
    for (const p of placements) expect(await exists(p.dir)).toBe(true);
    const nodes = (await m.list()).filter((n) => n.managedPath === 'limits');
    expect(nodes.flatMap((n) => n.hierarchyIds).sort()).toEqual(m.hierarchies.map((h) => h.id).sort());
    await expect(m.create('limits')).rejects.toMatchObject({ kind: 'conflict' });
  });
});

describe('limits read back from the kernel files', () => {
  let before: Limits;
  beforeAll(async () => {
    before = (await m.get('limits')).limits;
  });
  const absent = (area: keyof Limits) => `the ${area} controller is not available for the test cgroup on this host (${m.mode}, hierarchies: ${m.hierarchies.map((h) => h.controllers.join(',') || 'none').join(' | ')})`;

  it('cpu: quota, period and weight', async (ctx) => {
    if (!before.cpu) return ctx.skip(absent('cpu'));
    const limits = await m.setLimits('limits', { cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000, cpuWeight: 200 });
    expect(limits.cpu).toEqual({ maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 200 });
    const raw = [
      ...(await kernelFiles('limits', 'cpu.cfs_quota_us')),
      ...(await kernelFiles('limits', 'cpu.cfs_period_us')),
      ...(await kernelFiles('limits', 'cpu.shares')),
      ...(await kernelFiles('limits', 'cpu.max')),
      ...(await kernelFiles('limits', 'cpu.weight')),
    ];
    expect([['50000', '100000', String(weightToShares(200))], ['50000 100000', '200']]).toContainEqual(raw);
    await m.setLimits('limits', { cpuMaxQuotaUs: null });
    expect((await m.get('limits')).limits.cpu?.maxQuotaUs).toBeNull();
  });

  it('cpuset: cpus and mems within the parent', async (ctx) => {
    if (!before.cpuset) return ctx.skip(absent('cpuset'));
    const cpu = before.cpuset.effectiveCpus?.split(/[-,]/)[0] ?? '0';
    const mem = before.cpuset.effectiveMems?.split(/[-,]/)[0] ?? '0';
    const limits = await m.setLimits('limits', { cpusetCpus: cpu, cpusetMems: mem });
    expect(limits.cpuset).toMatchObject({ cpus: cpu, mems: mem, effectiveCpus: cpu });
    expect(await kernelFiles('limits', 'cpuset.cpus')).toEqual([cpu]);
  });

  it('memory: max, low, swap (where accounted) and high (v2 only)', async (ctx) => {
    if (!before.memory) return ctx.skip(absent('memory'));
    const v1 = (await kernelFiles('limits', 'memory.limit_in_bytes')).length > 0;
    const swap = (await kernelFiles('limits', v1 ? 'memory.memsw.limit_in_bytes' : 'memory.swap.max')).length > 0;
    const patch: LimitsPatch = { memoryMax: 256n * MiB, memoryLow: 64n * MiB, ...(swap ? { memorySwapMax: 128n * MiB } : {}) };
    const limits = await m.setLimits('limits', v1 ? patch : { ...patch, memoryHigh: 192n * MiB });
    expect(limits.memory).toEqual({ max: 256n * MiB, low: 64n * MiB, high: v1 ? null : 192n * MiB, swapMax: swap ? 128n * MiB : null });
    if (v1) {
      expect(await kernelFiles('limits', 'memory.limit_in_bytes')).toEqual([String(256n * MiB)]);
      expect(await kernelFiles('limits', 'memory.soft_limit_in_bytes')).toEqual([String(64n * MiB)]);
      if (swap) expect(await kernelFiles('limits', 'memory.memsw.limit_in_bytes')).toEqual([String(384n * MiB)]);
      await expect(m.setLimits('limits', { memoryHigh: 100n * MiB })).rejects.toMatchObject({ kind: 'unavailable', details: expect.objectContaining({ field: 'memoryHigh' }) });
    } else {
      expect(await kernelFiles('limits', 'memory.max')).toEqual([String(256n * MiB)]);
      expect(await kernelFiles('limits', 'memory.high')).toEqual([String(192n * MiB)]);
      expect(await kernelFiles('limits', 'memory.low')).toEqual([String(64n * MiB)]);
      if (swap) expect(await kernelFiles('limits', 'memory.swap.max')).toEqual([String(128n * MiB)]);
    }
    // growing and shrinking again exercises both orders of the v1 limit/memsw writes
    expect((await m.setLimits('limits', { memoryMax: 1024n * MiB })).memory?.max).toBe(1024n * MiB);
    expect((await m.setLimits('limits', { memoryMax: 128n * MiB })).memory).toMatchObject({ max: 128n * MiB, swapMax: swap ? 128n * MiB : null });
    // v1 limits memory+swap together, so without a memory limit there is no swap limit either;
    // v2's memory.swap.max limits swap alone and stands without memory.max.
    const keptSwap = !v1 && swap ? 128n * MiB : null;
    expect((await m.setLimits('limits', { memoryMax: null })).memory).toMatchObject({ max: null, swapMax: keptSwap });
    if (keptSwap !== null) {
      expect(await kernelFiles('limits', 'memory.max')).toEqual(['max']);
      expect(await kernelFiles('limits', 'memory.swap.max')).toEqual([String(keptSwap)]);
      expect((await m.setLimits('limits', { memorySwapMax: null })).memory?.swapMax).toBeNull();
      expect(await kernelFiles('limits', 'memory.swap.max')).toEqual(['max']);
    }
  });

  it('io: weight where a scheduler has one, and bps/iops limits of a real disk', async (ctx) => {
    if (!before.io) return ctx.skip(absent('io'));
    const disk = await realDisk();
    const patch: LimitsPatch = {};
    if (before.io.weight !== null) patch.ioWeight = 300;
    if (disk) patch.ioMax = [{ device: disk, rbps: MiB, wbps: null, riops: null, wiops: 500n }];
    if (Object.keys(patch).length === 0) return ctx.skip('no I/O weight file and no whole block device on this host');
    const limits = await m.setLimits('limits', patch);
    if (disk) {
      expect(limits.io?.max).toEqual([{ device: disk, rbps: MiB, wbps: null, riops: null, wiops: 500n }]);
      const raw = [
        ...(await kernelFiles('limits', 'blkio.throttle.read_bps_device')),
        ...(await kernelFiles('limits', 'blkio.throttle.write_iops_device')),
        ...(await kernelFiles('limits', 'io.max')),
      ];
      expect([[`${disk} 1048576`, `${disk} 500`], [`${disk} rbps=1048576 wbps=max riops=max wiops=500`]]).toContainEqual(raw);
      const cleared = await m.setLimits('limits', { ioMax: [{ device: disk, rbps: null, wbps: null, riops: null, wiops: null }] });
      expect(cleared.io?.max).toEqual([]);
    }
    if (patch.ioWeight) {
      const raw = [
        ...(await kernelFiles('limits', 'blkio.weight')),
        ...(await kernelFiles('limits', 'blkio.bfq.weight')),
        ...(await kernelFiles('limits', 'io.weight')),
        ...(await kernelFiles('limits', 'io.bfq.weight')),
      ];
      expect([[String(ioWeightToCfq(300))], [String(ioWeightToBfq(300))], ['default 300'], ['default 300', 'default 300']]).toContainEqual(raw);
      expect(limits.io?.weight).toBe(300);
    }
    await expect(m.setLimits('limits', { ioMax: [{ device: '250:250', rbps: 1n, wbps: null, riops: null, wiops: null }] })).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/250:250 does not exist/),
    });
  });

  it('pids: max', async (ctx) => {
    if (!before.pids) return ctx.skip(absent('pids'));
    expect((await m.setLimits('limits', { pidsMax: 50 })).pids).toEqual({ max: 50 });
    expect(await kernelFiles('limits', 'pids.max')).toEqual(['50']);
    expect((await m.setLimits('limits', { pidsMax: null })).pids).toEqual({ max: null });
  });

  it('undoes the first write when the kernel refuses the second (v1 hierarchical CFS bandwidth)', async (ctx) => {
    if (!before.cpu) return ctx.skip(absent('cpu'));
    if ((await kernelFiles('limits', 'cpu.cfs_period_us')).length === 0) {
      return ctx.skip('cgroup v2 clamps a child cpu.max to its parent instead of refusing it, so there is no kernel refusal to provoke');
    }
    await m.create('bw');
    await m.create('bw/child');
    await m.setLimits('bw', { cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000 });
    // period 50000 is accepted, then quota 40000/50000 = 0.8 CPU > the parent's 0.5: EINVAL
    await expect(m.setLimits('bw/child', { cpuMaxPeriodUs: 50000, cpuMaxQuotaUs: 40000 })).rejects.toMatchObject({
      kind: 'invalid',
      details: expect.objectContaining({ value: '40000', field: 'cpuMaxQuotaUs' }),
      message: expect.stringMatching(/cpu\.cfs_quota_us: the kernel rejected the value \(EINVAL\)/),
    });
    expect(await kernelFiles('bw/child', 'cpu.cfs_period_us')).toEqual(['100000']);
    expect((await m.get('bw/child')).limits.cpu).toMatchObject({ maxQuotaUs: null, maxPeriodUs: 100000 });
  });
});

describe('validation against the kernel state', () => {
  it('refuses a memory max below the current usage, naming it', async (ctx) => {
    await m.create('hog');
    if (!(await m.get('hog')).limits.memory) return ctx.skip('the memory controller is not available for the test cgroup on this host');
    const hog = spawnMemoryHog(64);
    processes.push(hog);
    await hog.waitForOutput('ready');
    await m.moveProcess(hog.pid, 'hog');
    hog.send('alloc');
    await hog.waitForOutput('allocated');
    const { usage } = await m.readUsage('hog', new Set(['memory']));
    expect(usage.memory?.current).toBeGreaterThanOrEqual(64n * MiB);
    await expect(m.setLimits('hog', { memoryMax: 16n * MiB })).rejects.toMatchObject({
      kind: 'invalid',
      details: expect.objectContaining({ field: 'memoryMax' }),
      message: expect.stringMatching(/16\.0 MiB is below the current memory usage of \d+(\.\d+)? MiB/),
    });
    expect((await m.get('hog')).limits.memory?.max).toBeNull();
    expect((await m.setLimits('hog', { memoryMax: 512n * MiB })).memory?.max).toBe(512n * MiB);
  });

  it('counts an OOM kill in the cgroup\'s memory events (v2 memory.events, v1 memory.oom_control)', async (ctx) => {
    await m.create('oomer');
    if (!(await m.get('oomer')).limits.memory) return ctx.skip('the memory controller is not available for the test cgroup on this host');
    // No swap to escape to: the allocation must meet the OOM killer.
    const swapAccounted = [...(await kernelFiles('oomer', 'memory.memsw.limit_in_bytes')), ...(await kernelFiles('oomer', 'memory.swap.max'))].length > 0;
    await m.setLimits('oomer', { memoryMax: 32n * MiB, ...(swapAccounted ? { memorySwapMax: 0n } : {}) });
    const before = (await m.readUsage('oomer', new Set(['memory']))).usage.memory?.events.oomKill;
    expect(before).toBe(0n);
    const hog = spawnMemoryHog(128);
    processes.push(hog);
    await hog.waitForOutput('ready');
    await m.moveProcess(hog.pid, 'oomer');
    hog.send('alloc');
    expect(await hog.exited).toBe('SIGKILL');
    expect((await m.readUsage('oomer', new Set(['memory']))).usage.memory?.events.oomKill).toBe(1n);
  });

  it('refuses a cpuset outside the parent', async (ctx) => {
    await m.create('cs');
    const cs = await m.get('cs');
    if (!cs.limits.cpuset) return ctx.skip('the cpuset controller is not available for the test cgroup on this host');
    await expect(m.setLimits('cs', { cpusetCpus: '0-4095' })).rejects.toMatchObject({ kind: 'invalid', details: expect.objectContaining({ field: 'cpusetCpus' }) });
    const first = cs.limits.cpuset.effectiveCpus?.split(/[-,]/)[0] ?? '0';
    await m.setLimits('cs', { cpusetCpus: first });
    await m.create('cs/child');
    const other = first === '0' ? '1' : '0';
    await expect(m.setLimits('cs/child', { cpusetCpus: other })).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(new RegExp(`${other} is not within the parent's CPUs ${first}`)),
    });
    expect((await m.setLimits('cs/child', { cpusetCpus: first })).cpuset?.cpus).toBe(first);
  });

  it('refuses bad names before touching the kernel', async () => {
    const beforeNames = await readdir(m.resolve('')[0]?.dir ?? '/nonexistent');
    for (const ref of ['../x', 'a/../../x', '.hidden', 'x/cgroup.procs', 'tasks', 'memory.max', 'a//b', 'x'.repeat(256), 'nul\0byte']) {
      await expect(m.create(ref), ref).rejects.toMatchObject({ kind: 'invalid' });
    }
    expect(await readdir(m.resolve('')[0]?.dir ?? '/nonexistent')).toEqual(beforeNames);
    // cgroupfs itself cannot hold a symlink; the lstat walk in fsio guards fixture trees, and
    // on a mounted cgroupfs checks the directory alone.
    await expect(symlink('/tmp', path.join(m.resolve('limits')[0]?.dir ?? '', 'link'))).rejects.toThrow();
    expect(m.hierarchies.filter((h) => !isMountedCgroupFs(h)).map((h) => h.mountPoint)).toEqual([]);
  });

  it('refuses writes outside the managed root', async () => {
    const p = startSleeper();
    await expect(m.setLimits('/', { pidsMax: 5 })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.moveProcess(p.pid, '/')).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.remove('/', { kill: true })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.freeze('/')).rejects.toMatchObject({ kind: 'forbidden' });
  });
});

describe('processes', () => {
  it('moves a process the test spawned, in every hierarchy', async () => {
    await m.create('mover');
    const p = startSleeper();
    await m.moveProcess(p.pid, 'mover');
    const entries = await m.cgroupsOfPid(p.pid);
    const ours = entries.filter((e) => m.hierarchies.some((h) => h.id === e.hierarchyId));
    expect(ours).toHaveLength(m.hierarchies.length);
    expect(ours.every((e) => e.managedPath === 'mover')).toBe(true);
    expect(await m.pidsOf('mover')).toEqual([p.pid]);
    const detail = await m.get('mover');
    expect(detail.pids).toEqual([p.pid]);
    if (m.hierarchies.some((h) => h.version === 2)) expect(detail.populated).toBe(true);
    expect((await m.list()).find((n) => n.managedPath === 'mover')?.processCount).toBe(1);
  });

  it('freezes and thaws', async () => {
    await m.create('ice');
    const p = startSleeper();
    await m.moveProcess(p.pid, 'ice');
    await m.freeze('ice');
    expect((await m.get('ice')).frozen).toBe(true);
    await m.thaw('ice');
    expect((await m.get('ice')).frozen).toBe(false);
  });

  it('refuses to remove a cgroup with a process inside and removes nothing', async () => {
    await m.create('busy');
    await m.create('busy/inner');
    const p = startSleeper();
    await m.moveProcess(p.pid, 'busy/inner');
    await expect(m.remove('busy')).rejects.toMatchObject({ kind: 'busy', message: expect.stringMatching(/still has 1 process in it or below \(pid \d+\); nothing was removed/) });
    for (const pl of [...m.resolve('busy'), ...m.resolve('busy/inner')]) expect(await exists(pl.dir)).toBe(true);
    expect(p.child.exitCode).toBeNull();
  });

  it('removes with kill: processes killed, the subtree gone from every hierarchy', async () => {
    await m.create('doomed');
    await m.create('doomed/a');
    await m.create('doomed/b');
    const a = startSleeper();
    const b = startSleeper();
    await m.moveProcess(a.pid, 'doomed/a');
    await m.moveProcess(b.pid, 'doomed/b');
    await m.freeze('doomed/b'); // a frozen task must still die
    await m.remove('doomed', { kill: true });
    expect(await a.exited).toBe('SIGKILL');
    expect(await b.exited).toBe('SIGKILL');
    for (const pl of m.resolve('doomed')) expect(await exists(pl.dir)).toBe(false);
    await expect(m.get('doomed')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
