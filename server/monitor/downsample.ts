/**
 * Charts get a few hundred points per series at most (recharts draws SVG). Points are grouped
 * into time buckets aligned to multiples of `bucketMs` (so the server and a live client cut the
 * same buckets), averaged, with the bucket's maximum alongside. A stretch with no data (missed
 * sweeps, a cgroup that did not exist) becomes one null point, so the line breaks instead of
 * drawing a straight segment over the hole.
 */

export const MAX_POINTS = 300;

/** The smallest multiple of `stepMs` that cuts `windowMs` into at most `maxPoints` buckets. */
export function bucketMsFor(windowMs: number, stepMs: number, maxPoints = MAX_POINTS): number {
  const step = Math.max(1, Math.round(stepMs));
  return Math.max(step, Math.ceil(windowMs / maxPoints / step) * step);
}

export interface Bucketed {
  /** Bucket start times (ms). */
  t: number[];
  /** Per series: the bucket averages, null where no value. */
  avg: (number | null)[][];
  /** Per series: the bucket maxima. */
  max: (number | null)[][];
}

/**
 * Downsample `count` points. `timeAt(i)` ascending; `valueAt(i, s)` NaN when unknown.
 * `gapMs`: two points further apart than this have a hole between them.
 */
export function bucketize(
  count: number,
  seriesCount: number,
  timeAt: (i: number) => number,
  valueAt: (i: number, s: number) => number,
  bucketMs: number,
  gapMs: number,
): Bucketed {
  const out: Bucketed = { t: [], avg: Array.from({ length: seriesCount }, () => []), max: Array.from({ length: seriesCount }, () => []) };
  const sum = new Float64Array(seriesCount);
  const n = new Uint32Array(seriesCount);
  const mx = new Float64Array(seriesCount);
  let bucket = NaN;
  let lastTime = NaN;
  const flush = () => {
    if (Number.isNaN(bucket)) return;
    out.t.push(bucket);
    for (let s = 0; s < seriesCount; s++) {
      const k = n[s] ?? 0;
      out.avg[s]?.push(k ? (sum[s] ?? 0) / k : null);
      out.max[s]?.push(k ? (mx[s] ?? 0) : null);
    }
    sum.fill(0);
    n.fill(0);
    mx.fill(-Infinity);
  };
  const hole = (at: number) => {
    out.t.push(at);
    for (let s = 0; s < seriesCount; s++) {
      out.avg[s]?.push(null);
      out.max[s]?.push(null);
    }
  };
  mx.fill(-Infinity);
  for (let i = 0; i < count; i++) {
    const t = timeAt(i);
    if (!Number.isFinite(t)) continue;
    const b = t - (t % bucketMs);
    const gap = !Number.isNaN(lastTime) && t - lastTime > gapMs;
    if (b !== bucket) {
      flush();
      if (gap && b - bucketMs > (out.t.at(-1) ?? -Infinity)) hole(b - bucketMs);
      bucket = b;
    }
    lastTime = t;
    for (let s = 0; s < seriesCount; s++) {
      const v = valueAt(i, s);
      if (Number.isNaN(v)) continue;
      sum[s] = (sum[s] ?? 0) + v;
      n[s] = (n[s] ?? 0) + 1;
      if (v > (mx[s] ?? -Infinity)) mx[s] = v;
    }
  }
  flush();
  return out;
}

/** Rows with all series unknown carry no information: a hole at most. */
export function isEmptyRow(values: ArrayLike<number>, offset: number, count: number): boolean {
  for (let s = 0; s < count; s++) if (!Number.isNaN(values[offset + s] ?? NaN)) return false;
  return true;
}
