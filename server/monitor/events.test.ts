import { describe, expect, it } from 'vitest';
import { CgroupDetector, defaultDetectorOptions, Episode, type Signals } from './events';

const quiet: Signals = {
  atMs: 0,
  cpuThrottledPct: 0,
  cpuQuotaCores: null,
  memoryBytes: 100 * 1048576,
  memoryMaxBytes: null,
  memoryHighBytes: null,
  psiCpuSomePct: 0,
  psiMemorySomePct: 0,
  psiIoSomePct: 0,
  oomKills: 0,
  memoryHighEvents: 0,
};

describe('Episode', () => {
  it('fires once when the condition held for riseSweeps sweeps, then stays quiet while it lasts', () => {
    const e = new Episode(3, 60_000);
    const fired = [true, true, true, true, true].map((on, i) => e.update(on, i * 1000));
    expect(fired).toEqual([false, false, true, false, false]);
  });
  it('does not fire for a condition shorter than riseSweeps', () => {
    const e = new Episode(3, 60_000);
    expect([true, true, false, true, true, false].map((on, i) => e.update(on, i * 1000))).not.toContain(true);
  });
  it('is one episode while flapping; a new one only after rearmMs off', () => {
    const e = new Episode(1, 10_000);
    const seq: [boolean, number][] = [[true, 0], [false, 1000], [true, 5000], [false, 6000], [false, 15_000], [false, 16_000], [true, 17_000]];
    expect(seq.map(([on, at]) => e.update(on, at))).toEqual([true, false, false, false, false, false, true]);
  });
});

describe('CgroupDetector', () => {
  it('reports every OOM kill with its count', () => {
    const d = new CgroupDetector();
    const f = d.update({ ...quiet, oomKills: 2, memoryBytes: 10 * 1048576, memoryMaxBytes: 64 * 1048576 });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ type: 'oom_kill', severity: 'critical', details: { count: 2 } });
    expect(f[0]!.message).toMatch(/2 processes killed by the OOM killer \(memory max 64 MiB\)/);
    expect(d.update({ ...quiet, oomKills: 1 })).toHaveLength(1);
  });

  it('reports the start of CPU throttling once (debounced)', () => {
    const d = new CgroupDetector();
    const out = Array.from({ length: 6 }, (_x, i) => d.update({ ...quiet, atMs: i * 1000, cpuThrottledPct: 80, cpuQuotaCores: 0.2 }));
    const all = out.flat();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ type: 'cpu_throttled', details: { throttledPct: 80, quotaCores: 0.2 } });
    expect(out[defaultDetectorOptions.throttleRiseSweeps - 1]).toHaveLength(1);
  });

  it('reports memory near max with hysteresis, and memory.high events', () => {
    const d = new CgroupDetector();
    const max = 100 * 1048576;
    expect(d.update({ ...quiet, memoryBytes: 80 * 1048576, memoryMaxBytes: max })).toEqual([]);
    const near = d.update({ ...quiet, atMs: 1000, memoryBytes: 95 * 1048576, memoryMaxBytes: max });
    expect(near.map((f) => f.type)).toEqual(['memory_near_max']);
    // dipping to 88 % stays inside the episode (clears below 85 %)
    expect(d.update({ ...quiet, atMs: 2000, memoryBytes: 88 * 1048576, memoryMaxBytes: max })).toEqual([]);
    expect(d.update({ ...quiet, atMs: 3000, memoryBytes: 95 * 1048576, memoryMaxBytes: max })).toEqual([]);
    const high = d.update({ ...quiet, atMs: 4000, memoryHighEvents: 5, memoryHighBytes: 50 * 1048576 });
    expect(high.map((f) => f.type)).toEqual(['memory_high']);
  });

  it('reports pressure per resource after it lasted', () => {
    const d = new CgroupDetector();
    const found = Array.from({ length: 5 }, (_x, i) => d.update({ ...quiet, atMs: i * 1000, psiIoSomePct: 45, psiMemorySomePct: 2 })).flat();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ type: 'psi_high', details: { resource: 'io', somePct: 45 } });
  });

  it('treats unknown values as quiet', () => {
    const d = new CgroupDetector();
    for (let i = 0; i < 5; i++) expect(d.update({ ...quiet, atMs: i, cpuThrottledPct: NaN, psiCpuSomePct: NaN, memoryBytes: NaN, memoryMaxBytes: 1 })).toEqual([]);
  });
});
