import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execOk } from '@/server/lib/exec';
import { openCgroups, type CgroupManager } from './index';
import { copyFixture, fixturePath, fixtureRoots, type FixtureCopy } from './testing';

const MiB = 1n << 20n;
const open = (root: string, managedRoot = 'cgdash') => openCgroups({ managedRoot, ...fixtureRoots(root) });

describe('openCgroups on the v1 fixture (cpu,cpuacct co-mounted, per-hierarchy self paths)', () => {
  let m: CgroupManager;
  beforeEach(async () => {
    m = await open(fixturePath('v1'));
  });

  it('detects v1 and resolves the managed root per hierarchy', () => {
    expect(m.mode).toBe('v1');
    expect(m.managedRootName).toBe('cgdash');
    const roots = Object.fromEntries(m.hierarchies.map((h) => [h.controllers.join(','), h.managedRoot]));
    expect(roots).toEqual({
      'name=systemd': '/system.slice/cgdash.service/cgdash',
      'cpu,cpuacct': '/system.slice/cgdash',
      cpuset: '/cgdash',
      memory: '/system.slice/cgdash.service/cgdash',
      blkio: '/system.slice/cgdash',
      pids: '/system.slice/cgdash.service/cgdash',
      freezer: '/cgdash',
    });
  });

  it('resolves refs without touching the file system', () => {
    const placements = m.resolve('not/there');
    expect(placements).toHaveLength(7);
    expect(placements.find((p) => p.controllers.includes('memory'))?.path).toBe('/system.slice/cgdash.service/cgdash/not/there');
    expect(m.resolve('/x').every((p) => p.path === '/x')).toBe(true);
    expect(() => m.resolve('a/../b')).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });

  it('lists every cgroup merged by path, with managed paths and process counts', async () => {
    const nodes = await m.list();
    const byPath = new Map(nodes.map((n) => [n.path, n]));
    expect(byPath.get('/')).toMatchObject({ managedPath: null, childCount: 2, processCount: 3 });
    expect(byPath.get('/system.slice/cgdash/web')).toMatchObject({ managedPath: 'web', controllers: ['blkio', 'cpu', 'cpuacct'], processCount: 2 });
    expect(byPath.get('/system.slice/cgdash.service/cgdash')).toMatchObject({ managedPath: '', childCount: 2 });
    expect(byPath.get('/system.slice/sshd.service')).toMatchObject({ managedPath: null, hierarchyIds: [1, 9, 11] });
    expect(nodes.map((n) => n.path)).toEqual([...nodes.map((n) => n.path)].sort());
  });

  it('lists paths and hierarchies alone, the same tree as list', async () => {
    const paths = await m.listPaths();
    const byPath = new Map(paths.map((n) => [n.path, n.hierarchyIds]));
    expect(byPath.get('/system.slice/sshd.service')).toEqual([1, 9, 11]);
    expect(new Map((await m.list()).map((n) => [n.path, n.hierarchyIds]))).toEqual(byPath);
  });

  it('gets limits and usage from every hierarchy of a logical cgroup', async () => {
    const web = await m.get('web');
    expect(web.ref).toBe('web');
    expect(web.managedPath).toBe('web');
    expect(web.placements).toHaveLength(7);
    expect(web.limits).toEqual({
      cpu: { maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 20 },
      cpuset: { cpus: '2-3', mems: '0', effectiveCpus: '2-3', effectiveMems: '0' },
      memory: { max: 256n * MiB, high: null, low: 128n * MiB, swapMax: 256n * MiB },
      io: {
        max: [
          { device: '8:0', rbps: 1048576n, wbps: null, riops: null, wiops: 100n },
          { device: '8:16', rbps: null, wbps: null, riops: null, wiops: 200n },
        ],
        weight: 50,
      },
      pids: { max: 64 },
    });
    // cpuacct gives usage, cpu gives throttling: merged into one CpuUsage
    expect(web.usage.cpu).toEqual({ usageUsec: 9876543n, userUsec: 7000000n, systemUsec: 2500000n, nrPeriods: 4711n, nrThrottled: 123n, throttledUsec: 9876543n });
    expect(web.usage.memory?.current).toBe(104857600n);
    expect(web.usage.pids).toEqual({ current: 2 });
    expect(web.usage.psi).toBeNull(); // no unified mount on this host
    expect(web.pids).toEqual([4343, 4344]);
    expect(web.frozen).toBe(false);
    expect(web.populated).toBeNull();
    expect(web.readErrors).toEqual([]);
    expect((await m.get('idle')).frozen).toBe(true);
  });

  it('reads only what the mask asks for', async () => {
    const { usage, errors } = await m.readUsage('web', new Set(['memory']));
    expect(errors).toEqual([]);
    expect(usage.memory?.current).toBe(104857600n);
    expect(usage.cpu).toBeNull();
    expect(usage.io).toBeNull();
  });

  it('reads limits alone, the same as get gives them', async () => {
    const { limits, errors } = await m.readLimits('web');
    expect(errors).toEqual([]);
    expect(limits).toEqual((await m.get('web')).limits);
    expect(limits.pids).toEqual({ max: 64 });
    await expect(m.readLimits('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('reports a cgroup that exists nowhere', async () => {
    await expect(m.get('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('reads /proc/PID/cgroup with managed paths', async () => {
    const entries = await m.cgroupsOfPid(4343);
    expect(entries).toHaveLength(7);
    expect(entries.every((e) => e.managedPath === 'web')).toBe(true);
    await expect(m.cgroupsOfPid(99999)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await m.pidsOf('web')).toEqual([4343, 4344]);
  });
});

describe('writes on a copy of the v1 fixture', () => {
  let fx: FixtureCopy;
  let m: CgroupManager;
  beforeEach(async () => {
    fx = await copyFixture('v1');
    m = await open(fx.root);
  });
  afterEach(async () => fx.cleanup());
  const cg = 'sys/fs/cgroup';

  it('sets limits in every hierarchy and returns what the kernel files now say', async () => {
    const limits = await m.setLimits('idle', { cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000, memoryMax: 64n * MiB, pidsMax: 10, cpusetCpus: '1' });
    expect(await fx.read(`${cg}/cpu,cpuacct/system.slice/cgdash/idle/cpu.cfs_quota_us`)).toBe('50000');
    expect(await fx.read(`${cg}/cpu,cpuacct/system.slice/cgdash/idle/cpu.cfs_period_us`)).toBe('100000');
    expect(await fx.read(`${cg}/memory/system.slice/cgdash.service/cgdash/idle/memory.limit_in_bytes`)).toBe(String(64n * MiB));
    expect(await fx.read(`${cg}/memory/system.slice/cgdash.service/cgdash/idle/memory.memsw.limit_in_bytes`)).toBe('9223372036854771712\n');
    expect(await fx.read(`${cg}/pids/system.slice/cgdash.service/cgdash/idle/pids.max`)).toBe('10');
    expect(await fx.read(`${cg}/cpuset/cgdash/idle/cpuset.cpus`)).toBe('1');
    expect(limits.cpu).toEqual({ maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 39 });
    expect(limits.memory?.max).toBe(64n * MiB);
  });

  it('writes nothing when any part of the patch is refused', async () => {
    await expect(m.setLimits('web', { cpuMaxQuotaUs: 20000, memoryHigh: 64n * MiB })).rejects.toMatchObject({
      kind: 'unavailable',
      details: expect.objectContaining({ field: 'memoryHigh' }),
    });
    await expect(m.setLimits('web', { pidsMax: 5, memoryMax: 10n * MiB })).rejects.toMatchObject({ details: expect.objectContaining({ field: 'memoryMax' }) });
    await expect(m.setLimits('web', { pidsMax: 5, ioMax: [{ device: '9:9', rbps: 1n, wbps: null, riops: null, wiops: null }] })).rejects.toMatchObject({
      details: expect.objectContaining({ field: 'ioMax' }),
    });
    expect(await fx.read(`${cg}/cpu,cpuacct/system.slice/cgdash/web/cpu.cfs_quota_us`)).toBe('50000\n');
    expect(await fx.read(`${cg}/pids/system.slice/cgdash.service/cgdash/web/pids.max`)).toBe('64\n');
  });

  it('rolls back earlier writes when a later one fails', async () => {
    // An immutable file: it reads fine, the write fails (EPERM), after the cpu writes went through.
    const pidsMax = path.join(fx.root, cg, 'pids/system.slice/cgdash.service/cgdash/web/pids.max');
    await execOk('chattr', ['+i', pidsMax]);
    try {
      await expect(m.setLimits('web', { cpuMaxQuotaUs: 20000, cpuWeight: 500, pidsMax: 5 })).rejects.toMatchObject({
        kind: 'forbidden',
        details: expect.objectContaining({ field: 'pidsMax', value: '5' }),
      });
    } finally {
      await execOk('chattr', ['-i', pidsMax]);
    }
    expect(await fx.read(`${cg}/cpu,cpuacct/system.slice/cgdash/web/cpu.cfs_quota_us`)).toBe('50000');
    expect(await fx.read(`${cg}/cpu,cpuacct/system.slice/cgdash/web/cpu.shares`)).toBe('512');
  });

  it('refuses writes outside the managed root unless allowed', async () => {
    await expect(m.setLimits('/system.slice/sshd.service', { pidsMax: 5 })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.freeze('/system.slice/sshd.service')).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.remove('/system.slice/sshd.service', { kill: true })).rejects.toMatchObject({ kind: 'forbidden' });
    await m.setLimits('/system.slice/sshd.service', { pidsMax: 5 }, { allowUnmanaged: true });
    expect(await fx.read(`${cg}/pids/system.slice/sshd.service/pids.max`)).toBe('5');
  });

  it('refuses to remove a cgroup with processes, naming the count, removing nothing', async () => {
    await expect(m.remove('web')).rejects.toMatchObject({ kind: 'busy', message: expect.stringMatching(/still has 2 processes .*4343, 4344.*nothing was removed/) });
    for (const p of m.resolve('web')) expect((await stat(path.join(fx.root, p.dir.slice(fx.root.length)))).isDirectory()).toBe(true);
  });

  it('creates a logical cgroup in every hierarchy at its own path', async () => {
    const placements = await m.create('new');
    expect(placements).toHaveLength(7);
    for (const p of placements) expect((await stat(p.dir)).isDirectory()).toBe(true);
    expect(placements.find((p) => p.controllers.includes('cpuset'))?.dir).toBe(path.join(fx.root, cg, 'cpuset/cgdash/new'));
    await expect(m.create('web')).rejects.toMatchObject({ kind: 'conflict' });
    await expect(m.create('/elsewhere')).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(m.create('x/cgroup.procs')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('freezes and thaws through freezer.state', async () => {
    await m.freeze('web');
    expect(await fx.read(`${cg}/freezer/cgdash/web/freezer.state`)).toBe('FROZEN');
    await m.thaw('web');
    expect(await fx.read(`${cg}/freezer/cgdash/web/freezer.state`)).toBe('THAWED');
  });

  it('moves a process by writing cgroup.procs in every hierarchy', async () => {
    await m.moveProcess(4343, 'idle');
    expect(await fx.read(`${cg}/cpuset/cgdash/idle/cgroup.procs`)).toBe('4343');
    expect(await fx.read(`${cg}/memory/system.slice/cgdash.service/cgdash/idle/cgroup.procs`)).toBe('4343');
    await expect(m.moveProcess(0, 'idle')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(m.moveProcess(4343, '/system.slice/sshd.service')).rejects.toMatchObject({ kind: 'forbidden' });
  });
});

describe('openCgroups on the v2 fixture', () => {
  let m: CgroupManager;
  beforeEach(async () => {
    m = await open(fixturePath('v2'));
  });

  it('detects v2 and finds the managed root beside the server leaf', () => {
    expect(m.mode).toBe('v2');
    expect(m.hierarchies).toHaveLength(1);
    expect(m.hierarchies[0]).toMatchObject({ selfPath: '/system.slice/cgdash.service/cgdash-server', managedRoot: '/system.slice/cgdash.service/cgdash' });
  });

  it('gets limits, usage, PSI and cgroup.events of one cgroup', async () => {
    const web = await m.get('web');
    expect(web.limits.cpu).toEqual({ maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 200 });
    expect(web.limits.cpuset).toBeNull(); // not handed down by system.slice
    expect(web.limits.memory).toEqual({ max: 256n * MiB, high: 192n * MiB, low: 64n * MiB, swapMax: 0n });
    expect(web.limits.pids).toEqual({ max: 64 });
    expect(web.usage.cpu?.throttledUsec).toBe(456789n);
    expect(web.usage.io).toHaveLength(3);
    expect(web.usage.psi?.cpu?.full?.totalUsec).toBe(12345n);
    expect(web.populated).toBe(true);
    expect(web.frozen).toBe(false);
    expect(web.readErrors).toEqual([]);
  });

  it('reads limits alone, the same as get gives them', async () => {
    const { limits, errors } = await m.readLimits('web');
    expect(errors).toEqual([]);
    expect(limits).toEqual((await m.get('web')).limits);
    expect(limits.memory?.high).toBe(192n * MiB);
  });

  it('reads the root: no limits files, core usage, PSI without full', async () => {
    const root = await m.get('/');
    expect(root.limits).toEqual({ cpu: null, cpuset: null, memory: null, io: null, pids: null });
    expect(root.usage.cpu?.usageUsec).toBe(987654321098n);
    expect(root.usage.psi?.cpu?.full).toBeNull();
    expect(root.populated).toBeNull();
  });

  it('lists the tree', async () => {
    const nodes = await m.list();
    expect(nodes.find((n) => n.path === '/system.slice/cgdash.service/cgdash-server')).toMatchObject({ managedPath: null, processCount: 1 });
    expect(nodes.filter((n) => n.managedPath !== null).map((n) => n.managedPath)).toEqual(['', 'idle', 'web']);
    expect(new Map((await m.listPaths()).map((n) => [n.path, n.hierarchyIds]))).toEqual(new Map(nodes.map((n) => [n.path, n.hierarchyIds])));
  });
});

describe('writes on a copy of the v2 fixture', () => {
  let fx: FixtureCopy;
  let m: CgroupManager;
  beforeEach(async () => {
    fx = await copyFixture('v2');
    m = await open(fx.root);
  });
  afterEach(async () => fx.cleanup());
  const web = 'sys/fs/cgroup/system.slice/cgdash.service/cgdash/web';

  it('--cpus 0.5 --memory 512m --pids-limit 32 --device-read-bps 8:16:1m', async () => {
    await m.setLimits('web', {
      cpuMaxQuotaUs: 50000,
      cpuMaxPeriodUs: 100000,
      memoryMax: 512n * MiB,
      pidsMax: 32,
      ioMax: [{ device: '8:16', rbps: MiB, wbps: null, riops: null, wiops: null }],
    });
    expect(await fx.read(`${web}/cpu.max`)).toBe('50000 100000');
    expect(await fx.read(`${web}/memory.max`)).toBe(String(512n * MiB));
    expect(await fx.read(`${web}/pids.max`)).toBe('32');
    expect(await fx.read(`${web}/io.max`)).toBe('8:16 rbps=1048576 wbps=max riops=max wiops=max');
  });

  it('says which limits this cgroup cannot have', async () => {
    await expect(m.setLimits('web', { cpusetCpus: '0' })).rejects.toMatchObject({
      kind: 'unavailable',
      details: expect.objectContaining({ field: 'cpusetCpus' }),
      message: expect.stringMatching(/cpuset controller is not available/),
    });
  });

  it('creates a cgroup below the managed root', async () => {
    const [p] = await m.create('db');
    expect(p?.path).toBe('/system.slice/cgdash.service/cgdash/db');
    expect((await stat(p?.dir ?? '')).isDirectory()).toBe(true);
  });

  it('refuses to remove a populated cgroup', async () => {
    await expect(m.remove('web')).rejects.toMatchObject({ kind: 'busy' });
  });

  it('puts an unreadable file into readErrors and reads the rest', async () => {
    await fx.write(`${web}/memory.stat`, 'anon lots\n');
    const detail = await m.get('web');
    expect(detail.readErrors).toEqual([{ file: 'memory.stat', message: expect.stringMatching(/cannot parse memory\.stat/) }]);
    expect(detail.usage.memory).toBeNull();
    expect(detail.usage.cpu?.usageUsec).toBe(8876543n);
    expect(detail.limits.memory?.max).toBe(256n * MiB);
  });

  it('lists a tree whose cgroups vanish while it is walked', async () => {
    // What a walk sees of a cgroup removed between readdir and reading it: no files at all.
    await rm(path.join(fx.root, web), { recursive: true });
    await mkdir(path.join(fx.root, web));
    const nodes = await m.list();
    expect(nodes.find((n) => n.managedPath === 'web')).toMatchObject({ processCount: 0, childCount: 0 });
  });
});
