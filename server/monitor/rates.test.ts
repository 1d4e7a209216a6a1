import { describe, expect, it } from 'vitest';
import { counterRate, counterDelta, cpuCores, deriveFull, type RawRow } from './rates';
import { FIELD_COUNT, Field, fieldBit } from './sampler';
import { EXTRAS_COUNT, S, SERIES_COUNT, X } from './series';

function row(values: Partial<Record<keyof typeof Field, number>>): RawRow {
  const v = new Float64Array(FIELD_COUNT);
  let present = 0;
  for (const [k, n] of Object.entries(values)) {
    const f = Field[k as keyof typeof Field];
    v[f] = n;
    present |= fieldBit(f);
  }
  return { values: v, offset: 0, present: present >>> 0 };
}

describe('counterRate', () => {
  it('is growth per second', () => {
    expect(counterRate(1000, 3000, 2)).toBe(1000);
    expect(counterRate(5, 5, 1)).toBe(0);
  });
  it('has no rate when the counter went backwards (cgroup made again), never a negative one', () => {
    expect(counterRate(5000, 10, 1)).toBeNaN();
  });
  it('has no rate without an interval', () => {
    expect(counterRate(1, 2, 0)).toBeNaN();
    expect(counterRate(1, 2, -1)).toBeNaN();
  });
});

describe('cpuCores', () => {
  it('is 1.0 for one CPU busy over the interval', () => {
    expect(cpuCores(0, 1_000_000, 1)).toBe(1);
    expect(cpuCores(2_000_000, 2_500_000, 0.5)).toBe(1);
    expect(cpuCores(0, 300_000, 1)).toBeCloseTo(0.3);
  });
  it('restarts after a reset: NaN for that interval, a rate again from the new counter', () => {
    expect(cpuCores(9_000_000, 100, 1)).toBeNaN();
    expect(cpuCores(100, 500_100, 1)).toBeCloseTo(0.5);
  });
});

describe('deriveFull', () => {
  const prev = row({ cpuNrPeriods: 100, cpuNrThrottled: 10, memoryCurrentBytes: 1, ioRbytes: 1000, ioWbytes: 0, ioRios: 10, ioWios: 0, memoryPgfault: 50, memoryPgmajfault: 1, psiCpuSomeTotalUsec: 0, psiMemorySomeTotalUsec: 100, psiIoSomeTotalUsec: 0, psiIoFullTotalUsec: 0, cpuUserUsec: 0, cpuSystemUsec: 0, memoryFileBytes: 5 });
  const cur = row({ cpuNrPeriods: 120, cpuNrThrottled: 15, memoryCurrentBytes: 4096, ioRbytes: 5000, ioWbytes: 2048, ioRios: 14, ioWios: 2, memoryPgfault: 150, memoryPgmajfault: 1, psiCpuSomeTotalUsec: 500_000, psiMemorySomeTotalUsec: 100, psiIoSomeTotalUsec: 3_000_000, psiIoFullTotalUsec: 1_000_000, cpuUserUsec: 1_500_000, cpuSystemUsec: 500_000, memoryFileBytes: 7 });
  const series = new Float32Array(SERIES_COUNT).fill(NaN);
  const extras = new Float64Array(EXTRAS_COUNT).fill(NaN);
  deriveFull(prev, cur, 2, series, 0, extras, 0);

  it('turns counters into rates over the interval and keeps gauges', () => {
    expect(series[S.cpuThrottledPct]).toBe(25); // 5 of 20 periods
    expect(series[S.memoryBytes]).toBe(4096);
    expect(series[S.ioReadBytesPerSec]).toBe(2000);
    expect(series[S.ioWriteBytesPerSec]).toBe(1024);
    expect(extras[X.ioReadOpsPerSec]).toBe(2);
    expect(extras[X.pgfaultPerSec]).toBe(50);
    expect(extras[X.pgmajfaultPerSec]).toBe(0);
    expect(extras[X.cpuUserCores]).toBe(0.75);
    expect(extras[X.cpuSystemCores]).toBe(0.25);
    expect(extras[X.memoryFileBytes]).toBe(7);
  });
  it('gives PSI stalls as a share of wall time in %', () => {
    expect(series[S.psiCpuSomePct]).toBeCloseTo(25);
    expect(series[S.psiMemorySomePct]).toBe(0);
    expect(series[S.psiIoSomePct]).toBeCloseTo(100); // capped
    expect(extras[X.psiIoFullPct]).toBeCloseTo(50);
  });
  it('leaves absent fields unknown (NaN)', () => {
    expect(series[S.cpuCores]).toBeNaN(); // not deriveFull's job
    expect(extras[X.memorySwapBytes]).toBeNaN();
  });
  it('shows 0 % throttling when no period elapsed', () => {
    const out = new Float32Array(SERIES_COUNT);
    deriveFull(prev, prev, 1, out, 0, new Float64Array(EXTRAS_COUNT), 0);
    expect(out[S.cpuThrottledPct]).toBe(0);
  });
  it('gives no rates for a first read (prev = cur, no interval) but the gauges', () => {
    const out = new Float32Array(SERIES_COUNT);
    deriveFull(cur, cur, 0, out, 0, new Float64Array(EXTRAS_COUNT), 0);
    expect(out[S.ioReadBytesPerSec]).toBeNaN();
    expect(out[S.memoryBytes]).toBe(4096);
  });
});

describe('counterDelta', () => {
  it('counts events since the previous read; a reset counts nothing', () => {
    expect(counterDelta(row({ memoryEventsOomKill: 1 }), row({ memoryEventsOomKill: 3 }), Field.memoryEventsOomKill)).toBe(2);
    expect(counterDelta(row({ memoryEventsOomKill: 3 }), row({ memoryEventsOomKill: 0 }), Field.memoryEventsOomKill)).toBe(0);
    expect(counterDelta(row({}), row({ memoryEventsOomKill: 3 }), Field.memoryEventsOomKill)).toBe(0);
  });
});
