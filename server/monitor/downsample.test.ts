import { describe, expect, it } from 'vitest';
import { bucketMsFor, bucketize, MAX_POINTS } from './downsample';

describe('bucketMsFor', () => {
  it('cuts a window into at most MAX_POINTS buckets, in whole steps', () => {
    expect(bucketMsFor(60_000, 1000)).toBe(1000);
    expect(bucketMsFor(900_000, 1000)).toBe(3000);
    expect(bucketMsFor(900_000, 200)).toBe(3000);
    expect(bucketMsFor(3_600_000, 60_000)).toBe(60_000);
    expect(bucketMsFor(86_400_000, 60_000)).toBe(300_000);
    expect(604_800_000 / bucketMsFor(604_800_000, 60_000)).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('bucketize', () => {
  it('averages points per aligned bucket and keeps the maximum', () => {
    const times = [0, 1000, 2000, 3000, 4000, 5000];
    const vals = [1, 3, 5, 7, 9, 11];
    const b = bucketize(times.length, 1, (i) => times[i]!, (i) => vals[i]!, 3000, 10_000);
    expect(b.t).toEqual([0, 3000]);
    expect(b.avg[0]).toEqual([3, 9]);
    expect(b.max[0]).toEqual([5, 11]);
  });

  it('gives a few hundred points at most for 15 minutes at 1 Hz', () => {
    const n = 900;
    const b = bucketize(n, 2, (i) => 1_700_000_000_000 + i * 1000, (i, s) => i + s, bucketMsFor(900_000, 1000), 2500);
    expect(b.t.length).toBeLessThanOrEqual(MAX_POINTS + 1);
    expect(b.avg[1]!.length).toBe(b.t.length);
  });

  it('skips unknown values and makes a null point for a bucket with none', () => {
    const b = bucketize(3, 1, (i) => i * 1000, (i) => (i === 1 ? NaN : i), 1000, 2500);
    expect(b.avg[0]).toEqual([0, null, 2]);
  });

  it('breaks the line over a stretch without data (missed sweeps)', () => {
    const times = [0, 1000, 2000, 9000, 10_000];
    const b = bucketize(times.length, 1, (i) => times[i]!, () => 1, 1000, 2500);
    expect(b.t).toEqual([0, 1000, 2000, 8000, 9000, 10_000]);
    expect(b.avg[0]).toEqual([1, 1, 1, null, 1, 1]);
  });
});
