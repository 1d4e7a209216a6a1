import { describe, expect, it } from 'vitest';
import { SeriesRing, slotsForBudget } from './ring';
import { SERIES_COUNT } from './series';

const row = (v: number) => Array.from({ length: SERIES_COUNT }, (_x, s) => v + s / 100);

function readAll(ring: SeriesRing, slot: number): (number | null)[] {
  const out: (number | null)[] = [];
  const tmp = new Float64Array(SERIES_COUNT);
  for (let seq = ring.oldestSeq; seq <= ring.headSeq; seq++) {
    ring.read(slot, seq, tmp);
    out.push(Number.isNaN(tmp[0]!) ? null : tmp[0]!);
  }
  return out;
}

describe('SeriesRing', () => {
  it('keeps the last `capacity` sweeps and wraps around', () => {
    const ring = new SeriesRing({ capacity: 4, maxSlots: 2 });
    const slot = ring.allocSlot()!;
    for (let seq = 0; seq < 10; seq++) {
      ring.beginSweep(seq, 1000 * seq);
      ring.write(slot, row(seq));
      ring.endSweep();
    }
    expect(ring.oldestSeq).toBe(6);
    expect(readAll(ring, slot)).toEqual([6, 7, 8, 9]);
    expect(ring.has(5)).toBe(false);
    expect(ring.timeOf(9)).toBe(9000);
    expect(ring.timeOf(2)).toBeNaN();
    const tmp = new Float32Array(SERIES_COUNT);
    expect(ring.read(slot, 9, tmp)).toBe(true);
    expect([...tmp]).toEqual(row(9).map((v) => Math.fround(v)));
  });

  it('reads NaN for sweeps a slot missed (cgroup gone, no value), not the value of a lap before', () => {
    const ring = new SeriesRing({ capacity: 3, maxSlots: 2 });
    const a = ring.allocSlot()!;
    const b = ring.allocSlot()!;
    for (let seq = 0; seq < 6; seq++) {
      ring.beginSweep(seq, seq);
      ring.write(a, row(seq));
      if (seq < 2) ring.write(b, row(100 + seq)); // b stops after sweep 1
      ring.endSweep();
    }
    expect(readAll(ring, a)).toEqual([3, 4, 5]);
    expect(readAll(ring, b)).toEqual([null, null, null]);
  });

  it('shows time gaps of missed sweeps through the column times', () => {
    const ring = new SeriesRing({ capacity: 8, maxSlots: 1 });
    const s = ring.allocSlot()!;
    const times = [0, 1000, 2000, 7000, 8000]; // the loop was stalled for 5 s
    times.forEach((t, seq) => {
      ring.beginSweep(seq, t);
      ring.write(s, row(seq));
      ring.endSweep();
    });
    expect([0, 1, 2, 3, 4].map((q) => ring.timeOf(q))).toEqual(times);
    expect(ring.seqAtOrAfter(3000)).toBe(3);
    expect(ring.seqAtOrAfter(0)).toBe(0);
    expect(ring.seqAtOrAfter(9000)).toBe(5);
  });

  it('refuses sweeps out of order', () => {
    const ring = new SeriesRing({ capacity: 3, maxSlots: 1 });
    ring.beginSweep(0, 0);
    expect(() => ring.beginSweep(2, 0)).toThrow(/sweep 2 after 0/);
  });

  it('never shows a reused slot the data of its previous cgroup', () => {
    const ring = new SeriesRing({ capacity: 5, maxSlots: 1 });
    const first = ring.allocSlot()!;
    for (let seq = 0; seq < 3; seq++) {
      ring.beginSweep(seq, seq);
      ring.write(first, row(seq));
      ring.endSweep();
    }
    ring.freeSlot(first);
    const again = ring.allocSlot()!;
    expect(again).toBe(first);
    ring.beginSweep(3, 3);
    ring.write(again, row(50));
    ring.endSweep();
    expect(readAll(ring, again)).toEqual([null, null, null, 50]);
  });

  it('holds bounded memory whatever the number of cgroups: past maxSlots a cgroup gets no slot', () => {
    const capacity = 901;
    const maxSlots = slotsForBudget(8 * 1024 * 1024, capacity);
    const ring = new SeriesRing({ capacity, maxSlots });
    const got: (number | null)[] = [];
    for (let i = 0; i < maxSlots + 500; i++) got.push(ring.allocSlot());
    expect(got.filter((s) => s === null)).toHaveLength(500);
    expect(ring.slotsInUse).toBe(maxSlots);
    expect(ring.bytes).toBeLessThanOrEqual(8 * 1024 * 1024 + 64 * capacity * SERIES_COUNT * 4 + capacity * 16 + maxSlots * 17);
    // memory allocated lazily: a ring with few cgroups stays small
    const small = new SeriesRing({ capacity, maxSlots });
    small.allocSlot();
    expect(small.bytes).toBeLessThan(3 * 1024 * 1024);
  });
});
