import { describe, expect, it } from 'vitest';
import { decodeTopFrame, encodeTopFrame, TopFrameDecoder, type TopRow } from './wire';

const row = (ref: string, cpuCores: number | null = 0.5): TopRow => ({
  ref, path: `/cgdash/${ref}`, name: null, kind: null, tenant: null, cpuCores, memoryBytes: 1024,
  ioReadBytesPerSec: 0, ioWriteBytesPerSec: null, pids: 3, cpuThrottledPct: 0, psiCpuSomePct: null, psiMemorySomePct: 1.5,
  psiIoSomePct: 0, memoryMaxBytes: 4096, cpuQuotaCores: 0.2,
});

describe('top frames on the wire', () => {
  it('round-trips rows as compact arrays', () => {
    const json = encodeTopFrame({ seq: 7, t: 1000, intervalMs: 1000, full: true, rows: [row('web')] });
    expect(JSON.parse(json).rows[0]).toHaveLength(16);
    expect(decodeTopFrame(json)).toEqual({ seq: 7, t: 1000, intervalMs: 1000, rows: [row('web')] });
  });

  it('applies deltas on top of a full frame: changed rows, new rows, removed refs', () => {
    const d = new TopFrameDecoder();
    expect(d.apply(encodeTopFrame({ seq: 1, t: 1, intervalMs: 1000, full: false, rows: [row('x')] }))).toBeNull();
    d.apply(encodeTopFrame({ seq: 1, t: 1, intervalMs: 1000, full: true, rows: [row('a'), row('b'), row('c')] }));
    const f = d.apply(encodeTopFrame({ seq: 2, t: 2, intervalMs: 1000, full: false, rows: [row('b', 0.9), row('d')], removed: ['c'] }))!;
    expect(f.rows.map((r) => [r.ref, r.cpuCores])).toEqual([['a', 0.5], ['b', 0.9], ['d', 0.5]]);
    expect(d.apply(encodeTopFrame({ seq: 2, t: 2, intervalMs: 1000, full: false, rows: [row('a', 9)] }))).toBeNull(); // stale
    const again = d.apply(encodeTopFrame({ seq: 5, t: 5, intervalMs: 1000, full: true, rows: [row('z')] }))!;
    expect(again.rows.map((r) => r.ref)).toEqual(['z']);
  });

  it('matches columns by name, so a server with other columns still decodes', () => {
    const json = JSON.stringify({ seq: 1, t: 2, intervalMs: 3, full: true, columns: ['pids', 'ref', 'future'], rows: [[4, 'x', true]], removed: [] });
    const [r] = decodeTopFrame(json).rows;
    expect(r).toMatchObject({ ref: 'x', pids: 4, cpuCores: null });
  });
});
