/**
 * What the monitor derives from a sweep. Two groups:
 *  - SERIES: the charted values, kept per sweep in the ring (15 min) and per minute on disk;
 *  - EXTRAS: everything else, kept only as the latest value of each cgroup.
 * The order of SERIES is the layout of ring columns and of rollup blobs: append, never reorder
 * (stored rollups would be read wrongly).
 */

export const SERIES = [
  { id: 'cpuCores', label: 'CPU', unit: 'cores' },
  { id: 'cpuThrottledPct', label: 'CPU throttled', unit: '%' },
  { id: 'memoryBytes', label: 'Memory', unit: 'bytes' },
  { id: 'ioReadBytesPerSec', label: 'I/O read', unit: 'bytes/s' },
  { id: 'ioWriteBytesPerSec', label: 'I/O write', unit: 'bytes/s' },
  { id: 'pids', label: 'Pids', unit: 'count' },
  { id: 'psiCpuSomePct', label: 'PSI cpu some', unit: '%' },
  { id: 'psiMemorySomePct', label: 'PSI memory some', unit: '%' },
  { id: 'psiIoSomePct', label: 'PSI io some', unit: '%' },
] as const;

export type SeriesId = (typeof SERIES)[number]['id'];
export const SERIES_COUNT = SERIES.length;
export const SERIES_IDS: readonly SeriesId[] = SERIES.map((s) => s.id);
/** Series id → column within a row of SERIES_COUNT values. */
export const S = Object.fromEntries(SERIES.map((s, i) => [s.id, i])) as Record<SeriesId, number>;

export const EXTRAS = [
  { id: 'cpuUserCores', unit: 'cores' },
  { id: 'cpuSystemCores', unit: 'cores' },
  { id: 'ioReadOpsPerSec', unit: 'ops/s' },
  { id: 'ioWriteOpsPerSec', unit: 'ops/s' },
  { id: 'pgfaultPerSec', unit: '1/s' },
  { id: 'pgmajfaultPerSec', unit: '1/s' },
  { id: 'psiMemoryFullPct', unit: '%' },
  { id: 'psiIoFullPct', unit: '%' },
  { id: 'memoryAnonBytes', unit: 'bytes' },
  { id: 'memoryFileBytes', unit: 'bytes' },
  { id: 'memoryKernelBytes', unit: 'bytes' },
  { id: 'memorySwapBytes', unit: 'bytes' },
] as const;

export type ExtraId = (typeof EXTRAS)[number]['id'];
export const EXTRAS_COUNT = EXTRAS.length;
export const X = Object.fromEntries(EXTRAS.map((s, i) => [s.id, i])) as Record<ExtraId, number>;

/** One cgroup's charted values at one sweep; null where unknown (first sweep, counter reset, absent file). */
export type SeriesValues = Record<SeriesId, number | null>;

/** A row of SERIES_COUNT numbers (NaN = unknown) as an object with nulls, for the API. */
export function seriesObject(row: ArrayLike<number>, offset = 0): SeriesValues {
  const out = {} as SeriesValues;
  for (let i = 0; i < SERIES_COUNT; i++) {
    const v = row[offset + i];
    out[SERIES_IDS[i] as SeriesId] = v === undefined || Number.isNaN(v) ? null : v;
  }
  return out;
}

/** A row as a plain array with nulls for NaN (compact on the wire). */
export function seriesArray(row: ArrayLike<number>, offset = 0, count = SERIES_COUNT): (number | null)[] {
  const out: (number | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const v = row[offset + i];
    out[i] = v === undefined || Number.isNaN(v) ? null : v;
  }
  return out;
}
