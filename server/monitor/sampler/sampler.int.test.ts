/**
 * Both samplers on real cgroups of this host (cgroup v1 hybrid on the development machines, v2
 * in the VM suite): ~20 cgroups in every hierarchy under a fresh test root, some with busy
 * processes, sampled in alternation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTestProcess, type TestProcess } from '@/server/cgroup/testing';
import { FIELD_COUNT, FIELDS, Field, fieldBit } from './fields';
import { NativeSampler } from './nativeSampler';
import type { SampleTarget } from './plan';
import { createManagedTestRoot, openFdCount, requireNativeAddon, type ManagedTestRoot } from './testing';
import { TsSampler } from './tsSampler';
import type { SampleBatch } from './types';

const CGROUPS = 20;
const BUSY = 4;

const counters = FIELDS.flatMap((f, i) => (f.type === 'counter' ? [i] : []));

function value(b: SampleBatch, row: number, field: number): bigint {
  return b.values[row * FIELD_COUNT + field] ?? 0n;
}

describe('samplers on real cgroups', () => {
  let test: ManagedTestRoot;
  let targets: SampleTarget[];
  const procs: TestProcess[] = [];
  let native: NativeSampler;
  let ts: TsSampler;
  let fdsBefore: number;

  beforeAll(async () => {
    test = await createManagedTestRoot();
    targets = [];
    for (let i = 0; i < CGROUPS; i++) targets.push({ key: 100 + i, dirs: await test.cgroups.create(`s${i}`) });
    for (let i = 0; i < BUSY; i++) {
      const p = spawnTestProcess('sh', ['-c', 'while :; do :; done']);
      procs.push(p);
      await test.cgroups.moveProcess(p.pid, `s${i}`);
    }
    fdsBefore = openFdCount(); // after the test processes' pipes, before any sampler file
    native = new NativeSampler(requireNativeAddon());
    ts = new TsSampler();
  });

  afterAll(async () => {
    await native?.close();
    await ts?.close();
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    await test?.cleanup();
  });

  it('opens the same files with both samplers', async () => {
    const [a, b] = [await native.setTargets(targets), await ts.setTargets(targets)];
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.openFiles).toBe(b.openFiles);
    expect(a.openFiles).toBeGreaterThanOrEqual(CGROUPS * 3);
    expect(native.openedFiles()).toEqual(ts.openedFiles());
  });

  it('sees the busy cgroups use CPU', async () => {
    for (let tries = 0; ; tries++) {
      const b = await native.sample();
      const busy = Array.from({ length: BUSY }, (_v, i) => value(b, i, Field.cpuUsageUsec));
      if (busy.every((u) => u > 0n)) break;
      expect(tries).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  it('agrees with TypeScript: counters of a native sweep lie between two TypeScript sweeps, gauges match', async () => {
    for (let round = 0; round < 3; round++) {
      const before = await ts.sample();
      const mid = await native.sample();
      const after = await ts.sample();
      for (const b of [before, mid, after]) {
        expect(b.errors).toEqual([]);
        expect([...b.keys]).toEqual(targets.map((t) => t.key));
        expect([...b.vanished].every((v) => v === 0)).toBe(true);
      }
      expect([...mid.present]).toEqual([...before.present]);
      expect([...after.present]).toEqual([...before.present]);
      for (let row = 0; row < targets.length; row++) {
        const present = mid.present[row] ?? 0;
        expect(present & fieldBit(Field.cpuUsageUsec)).not.toBe(0);
        expect(present & fieldBit(Field.memoryCurrentBytes)).not.toBe(0);
        expect(present & fieldBit(Field.pidsCurrent)).not.toBe(0);
        if (test.cgroups.hierarchies.some((h) => h.version === 2)) expect(present & fieldBit(Field.psiCpuSomeTotalUsec)).not.toBe(0);
        for (const f of counters) {
          if (!(present & fieldBit(f))) continue;
          const [lo, m, hi] = [value(before, row, f), value(mid, row, f), value(after, row, f)];
          expect({ row, field: FIELDS[f]?.name, ok: lo <= m && m <= hi }).toEqual({ row, field: FIELDS[f]?.name, ok: true });
        }
        const pids = [before, mid, after].map((b) => value(b, row, Field.pidsCurrent));
        expect(pids).toEqual(Array(3).fill(row < BUSY ? 1n : 0n));
      }
    }
  });

  it('reports cgroups removed between sweeps as vanished, without throwing, and reopens nothing of them', async () => {
    const goneRows = [CGROUPS - 1, CGROUPS - 2];
    for (const row of goneRows) await test.cgroups.remove(`s${row}`);
    for (const s of [native, ts]) {
      const b = await s.sample();
      expect(b.errors).toEqual([]);
      for (let row = 0; row < targets.length; row++) {
        const gone = goneRows.includes(row);
        expect({ row, vanished: b.vanished[row] }).toEqual({ row, vanished: gone ? 1 : 0 });
        if (gone) expect(b.present[row]).toBe(0);
      }
      // Same targets again: the vanished ones are opened afresh (and found gone), the rest kept.
      const again = await s.setTargets(targets);
      expect(again).toMatchObject({ kept: CGROUPS - goneRows.length, opened: goneRows.length, errors: [] });
      const b2 = await s.sample();
      expect(goneRows.map((r) => b2.vanished[r])).toEqual([1, 1]);
      const remaining = await s.setTargets(targets.filter((_t, i) => !goneRows.includes(i)));
      expect(remaining).toMatchObject({ kept: CGROUPS - goneRows.length, opened: 0, dropped: goneRows.length });
    }
  });

  it('leaks no descriptors over churn and close', async () => {
    for (let round = 0; round < 5; round++) {
      for (const s of [native, ts]) {
        await s.setTargets(targets.filter((_t, i) => (i + round) % 3 !== 0));
        await s.sample();
        await s.setTargets(targets.slice(round));
      }
    }
    await native.close();
    await ts.close();
    expect(openFdCount()).toBe(fdsBefore);
  });
});
