/**
 * Both samplers on the checked-in fixture trees (v1 and v2; the addon reads regular files as it
 * reads cgroupfs): they must agree with each other value for value, and with what the cgroup
 * module itself reports for every cgroup of the tree.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups, type CgroupManager, type Usage } from '@/server/cgroup';
import { copyFixture, fixturePath, fixtureRoots, type FixtureVersion } from '@/server/cgroup/testing';
import { FIELD_COUNT, Field, fieldBit, fieldMask } from './fields';
import { sampleAll } from './index';
import { NativeSampler } from './nativeSampler';
import type { SampleTarget } from './plan';
import { errorCodes, openFdCount, requireNativeAddon, rowOf } from './testing';
import { TsSampler } from './tsSampler';
import type { CgroupSampler, SampleBatch } from './types';

/** What the cgroup module reports, as sampler fields. */
function usageRow(u: Usage): Record<string, bigint> {
  const row: Record<string, bigint> = {};
  const put = (name: string, v: bigint | number | null | undefined) => {
    if (v !== null && v !== undefined) row[name] = BigInt(v);
  };
  put('cpu.usage_usec', u.cpu?.usageUsec);
  put('cpu.user_usec', u.cpu?.userUsec);
  put('cpu.system_usec', u.cpu?.systemUsec);
  put('cpu.nr_periods', u.cpu?.nrPeriods);
  put('cpu.nr_throttled', u.cpu?.nrThrottled);
  put('cpu.throttled_usec', u.cpu?.throttledUsec);
  const m = u.memory;
  put('memory.current', m?.current);
  put('memory.anon', m?.anon);
  put('memory.file', m?.file);
  put('memory.kernel', m?.kernel);
  put('memory.swap.current', m?.swapCurrent);
  put('memory.pgfault', m?.pgfault);
  put('memory.pgmajfault', m?.pgmajfault);
  put('memory.events.oom', m?.events.oom);
  put('memory.events.oom_kill', m?.events.oomKill);
  put('memory.events.high', m?.events.high);
  put('memory.events.max', m?.events.max);
  if (u.io) {
    const sum = (pick: (d: NonNullable<Usage['io']>[number]) => bigint) => u.io?.reduce((s, d) => s + pick(d), 0n);
    put('io.rbytes', sum((d) => d.rbytes));
    put('io.wbytes', sum((d) => d.wbytes));
    put('io.rios', sum((d) => d.rios));
    put('io.wios', sum((d) => d.wios));
  }
  put('pids.current', u.pids?.current);
  put('cpu.pressure.some.total', u.psi?.cpu?.some.totalUsec);
  put('memory.pressure.some.total', u.psi?.memory?.some.totalUsec);
  put('memory.pressure.full.total', u.psi?.memory?.full?.totalUsec);
  put('io.pressure.some.total', u.psi?.io?.some.totalUsec);
  put('io.pressure.full.total', u.psi?.io?.full?.totalUsec);
  return row;
}

function expectSameBatch(native: SampleBatch, ts: SampleBatch): void {
  expect([...native.keys]).toEqual([...ts.keys]);
  expect([...native.present]).toEqual([...ts.present]);
  expect([...native.vanished]).toEqual([...ts.vanished]);
  expect([...native.values]).toEqual([...ts.values]);
  expect(errorCodes(native)).toEqual(errorCodes(ts));
}

describe.each<FixtureVersion>(['v1', 'v2'])('samplers on the %s fixture tree', (version) => {
  let mgr: CgroupManager;
  let targets: SampleTarget[];
  let paths: string[];
  const samplers: CgroupSampler[] = [];
  let ts: TsSampler;
  let native: NativeSampler;

  beforeAll(async () => {
    mgr = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fixturePath(version)) });
    const nodes = await mgr.list();
    paths = nodes.map((n) => n.path);
    targets = nodes.map((n, key) => ({ key: key + 1, dirs: mgr.resolve(n.path).filter((p) => n.hierarchyIds.includes(p.hierarchyId)) }));
    ts = new TsSampler();
    native = new NativeSampler(requireNativeAddon());
    samplers.push(ts, native);
  });

  afterAll(async () => {
    for (const s of samplers) await s.close();
  });

  it('has cgroups to sample', () => {
    expect(targets.length).toBeGreaterThanOrEqual(5);
  });

  it('gives the same batch from the addon and from TypeScript', async () => {
    const [a, b] = [await native.setTargets(targets), await ts.setTargets(targets)];
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.openFiles).toBe(b.openFiles);
    expect(native.openedFiles().map((f) => `${f.key} ${f.path} ${f.kind} ${f.fieldMask}`)).toEqual(
      ts.openedFiles().map((f) => `${f.key} ${f.path} ${f.kind} ${f.fieldMask}`),
    );
    const [nb, tb] = [await native.sample(), await ts.sample()];
    expect(nb.errors).toEqual([]);
    expectSameBatch(nb, tb);
    expect([...nb.vanished].every((v) => v === 0)).toBe(true);
  });

  it('reports for every cgroup exactly what the cgroup module reads', async () => {
    await ts.setTargets(targets);
    const batch = await ts.sample();
    let nonEmpty = 0;
    for (let i = 0; i < targets.length; i++) {
      const { usage, errors } = await mgr.readUsage(paths[i] ?? '');
      expect(errors).toEqual([]);
      const row = rowOf(batch, i);
      const expected = usageRow(usage);
      // The module drops a whole area when its main file is missing (a v2 root has no
      // memory.current); the sampler still reports the fields it could read there.
      for (const name of Object.keys(row)) {
        if (name in expected) continue;
        const area = (name.includes('.pressure.') ? 'psi' : name.split('.')[0]) as keyof Usage;
        expect({ path: paths[i], name, area: usage[area] }).toEqual({ path: paths[i], name, area: null });
        expected[name] = row[name] ?? 0n;
      }
      expect({ path: paths[i], row }).toEqual({ path: paths[i], row: expected });
      if (Object.keys(row).length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(3);
  });

  it('marks a target whose directory does not exist as vanished, without throwing', async () => {
    const gone: SampleTarget = { key: 999, dirs: [{ dir: `${fixturePath(version)}/sys/fs/cgroup/no-such-cgroup`, version: version === 'v1' ? 1 : 2, controllers: ['memory', 'pids'] }] };
    const first = targets[0] as SampleTarget;
    for (const s of [native, ts]) {
      const report = await s.setTargets([first, gone]);
      expect(report.errors).toEqual([]);
      const batch = await s.sample();
      expect([...batch.vanished]).toEqual([0, 1]);
      expect(batch.present[1]).toBe(0);
      expect(batch.errors).toEqual([]);
    }
  });

  it('keeps the files of targets that remain and closes the rest: no descriptor leaks', async () => {
    for (const s of [native, ts]) await s.setTargets([]);
    const before = openFdCount();
    for (const s of [native, ts]) {
      const all = await s.setTargets(targets);
      expect(all.opened).toBe(targets.length);
      const half = targets.filter((_t, i) => i % 2 === 0);
      const r = await s.setTargets(half);
      expect(r).toMatchObject({ kept: half.length, opened: 0, dropped: targets.length - half.length });
      // A changed plan for the same key is opened afresh.
      const moved = half.map((t) => ({ ...t, dirs: t.dirs.slice(0, 1) }));
      const m = await s.setTargets(moved);
      expect(m.kept).toBe(moved.filter((t, i) => (half[i]?.dirs.length ?? 0) === t.dirs.length).length);
      const again = await s.setTargets(targets);
      await s.sample();
      expect(again.openFiles).toBe(all.openFiles);
      await s.setTargets([]);
      expect(openFdCount()).toBe(before);
    }
  });

  it('refuses bad targets and changes nothing', async () => {
    for (const s of [native, ts]) {
      await s.setTargets(targets);
      const files = s.openedFiles().length;
      await expect(s.setTargets([...targets, { key: targets[0]?.key ?? 1, dirs: [] }])).rejects.toThrow(/given twice/);
      await expect(s.setTargets([{ key: -1, dirs: [] }])).rejects.toThrow(/key must be an integer/);
      await expect(s.setTargets([{ key: 1, dirs: [{ dir: 'relative', version: 1, controllers: [] }] }])).rejects.toThrow(/absolute/);
      expect(s.openedFiles().length).toBe(files);
    }
  });

  it('leaves out the fields it is told to skip, the same way in both samplers', async () => {
    await native.setTargets(targets);
    await ts.setTargets(targets);
    const cpu = fieldMask('cpuUsageUsec', 'cpuUserUsec', 'cpuSystemUsec');
    const memory = fieldMask('memoryCurrentBytes', 'memoryAnonBytes', 'memoryFileBytes');
    // Row by row: nothing, the CPU usage fields, some memory fields, everything.
    const skip = Uint32Array.from(targets, (_t, i) => [0, cpu, memory, 0xffffffff][i % 4]!);
    const [whole, nb, tb] = [await ts.sample(), await native.sample(skip), await ts.sample(skip)];
    expectSameBatch(nb, tb);
    let left = 0;
    for (let r = 0; r < targets.length; r++) {
      expect(nb.present[r]! & skip[r]!).toBe(0);
      // What was not skipped is all there, with the values of a sweep that skipped nothing
      // (v1 swap is memory+swap minus memory: it goes with memory.current).
      const derived = skip[r]! & fieldBit(Field.memoryCurrentBytes) && version === 'v1' ? fieldBit(Field.memorySwapCurrentBytes) : 0;
      expect(nb.present[r]).toBe((whole.present[r]! & ~skip[r]! & ~derived) >>> 0);
      for (let f = 0; f < FIELD_COUNT; f++) {
        if (nb.present[r]! & fieldBit(f)) expect(nb.values[r * FIELD_COUNT + f]).toBe(whole.values[r * FIELD_COUNT + f]);
      }
      left += (whole.present[r]! & skip[r]!) !== 0 ? 1 : 0;
    }
    expect(left).toBeGreaterThan(0);
    // sampleAll hands each sampler its own masks.
    const [a, b] = await sampleAll([native, ts], [skip, undefined]);
    expectSameBatch(a!, nb);
    expectSameBatch(b!, whole);
  });

  it('sweeps the samplers of a sampleAll one after another, in the order given', async () => {
    const [ts2, native2] = [new TsSampler(), new NativeSampler(requireNativeAddon())];
    try {
      for (const s of [ts, ts2, native, native2]) await s.setTargets(targets);
      for (const list of [[ts, ts2], [native, ts, native2], [native, native2]]) {
        const batches = await sampleAll(list);
        for (let i = 1; i < batches.length; i++) expect(batches[i]!.startedNs).toBeGreaterThanOrEqual(batches[i - 1]!.finishedNs);
      }
    } finally {
      await Promise.all([ts2.close(), native2.close()]);
    }
  });

  it('refuses a skip of another length or type, in both samplers', async () => {
    for (const s of [native, ts]) {
      await s.setTargets(targets);
      await expect(s.sample(new Uint32Array(targets.length + 1))).rejects.toThrow(/skip has \d+ masks for \d+ targets/);
      await expect(s.sample([0] as never)).rejects.toThrow(/skip must be a Uint32Array/);
      await expect(sampleAll([s], [])).rejects.toThrow(/0 skips for 1 samplers/);
    }
  });
});

describe.each<FixtureVersion>(['v1', 'v2'])('a skipped file on the %s fixture tree', (version) => {
  it('is not read at all: a file that cannot be parsed gives no error while its fields are skipped', async () => {
    const copy = await copyFixture(version);
    const samplers = [new TsSampler(), new NativeSampler(requireNativeAddon())];
    try {
      const mgr = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(copy.root) });
      const web = mgr.resolve('web').filter((p) => p.version === (version === 'v1' ? 1 : 2));
      const cpuDir = web.find((p) => p.version === 2 || p.controllers.includes('cpuacct'))!.dir;
      const cpuFile = version === 'v1' ? 'cpuacct.usage' : 'cpu.stat';
      expect(await readdir(cpuDir)).toContain(cpuFile);
      await writeFile(path.join(cpuDir, cpuFile), 'not a number\n');
      for (const s of samplers) {
        await s.setTargets([{ key: 1, dirs: web }]);
        const read = await s.sample();
        expect(read.errors.map((e) => `${e.code} ${path.basename(e.file)}`)).toContain(`EPARSE ${cpuFile}`);
        const skipping = await s.sample(Uint32Array.of(fieldMask('cpuUsageUsec', 'cpuUserUsec', 'cpuSystemUsec', 'cpuNrPeriods', 'cpuNrThrottled', 'cpuThrottledUsec')));
        expect(skipping.errors).toEqual([]);
        expect(skipping.present[0]! & fieldBit(Field.cpuUsageUsec)).toBe(0);
        expect(skipping.present[0]! & fieldBit(Field.pidsCurrent)).not.toBe(0);
      }
    } finally {
      for (const s of samplers) await s.close();
      await copy.cleanup();
    }
  });
});
