/**
 * Rates from kernel counters. A rate is the counter's growth over the time between two reads of
 * it. A counter that went backwards belongs to a new cgroup of the same name (removed and made
 * again between two sweeps): that interval has no rate (NaN), and the next one starts from the
 * new counter. No rate is ever negative.
 */
import { FIELD_COUNT, Field, fieldBit } from './sampler';
import { EXTRAS_COUNT, S, SERIES_COUNT, X } from './series';

/** Growth per second, or NaN when it cannot be known (no interval, counter reset). */
export function counterRate(prev: number, cur: number, dtSec: number): number {
  if (!(dtSec > 0) || !Number.isFinite(prev) || !Number.isFinite(cur) || cur < prev) return NaN;
  return (cur - prev) / dtSec;
}

/** One sampled row: FIELD_COUNT raw values (as numbers) at `offset`, and which were read. */
export interface RawRow {
  values: Float64Array;
  offset: number;
  present: number;
}

export function has(row: RawRow, field: number): boolean {
  return (row.present & fieldBit(field)) !== 0;
}

function get(row: RawRow, field: number): number {
  return row.values[row.offset + field] ?? NaN;
}

/** Rate of one field between two rows; NaN when either row lacks it. */
function rate(prev: RawRow, cur: RawRow, field: number, dtSec: number): number {
  if (!has(prev, field) || !has(cur, field)) return NaN;
  return counterRate(get(prev, field), get(cur, field), dtSec);
}

/** A gauge of the current row, NaN when absent. */
function gauge(cur: RawRow, field: number): number {
  return has(cur, field) ? get(cur, field) : NaN;
}

/** Stall time growth as a share of wall time, in %: Δtotal_usec / Δt. */
function stallPct(prev: RawRow, cur: RawRow, field: number, dtSec: number): number {
  const usecPerSec = rate(prev, cur, field, dtSec);
  return Number.isNaN(usecPerSec) ? NaN : Math.min(usecPerSec / 1e4, 100);
}

/**
 * CPU cores used (1.0 = one CPU busy) between two reads of cpu.usage_usec.
 * Kept apart from `deriveFull` because the CPU counter is read every sweep for every cgroup,
 * the other fields only for active ones (see activity.ts).
 */
export function cpuCores(prevUsageUsec: number, curUsageUsec: number, dtSec: number): number {
  const usecPerSec = counterRate(prevUsageUsec, curUsageUsec, dtSec);
  return Number.isNaN(usecPerSec) ? NaN : usecPerSec / 1e6;
}

/**
 * Everything but `cpuCores` and `pids` from two full rows `dtSec` apart, into `series`
 * (SERIES_COUNT at seriesOffset) and `extras` (EXTRAS_COUNT at extrasOffset).
 */
export function deriveFull(
  prev: RawRow,
  cur: RawRow,
  dtSec: number,
  series: Float32Array | Float64Array,
  seriesOffset: number,
  extras: Float64Array,
  extrasOffset: number,
): void {
  const periods = rate(prev, cur, Field.cpuNrPeriods, dtSec);
  const throttled = rate(prev, cur, Field.cpuNrThrottled, dtSec);
  series[seriesOffset + S.cpuThrottledPct] = Number.isNaN(periods) || Number.isNaN(throttled) ? NaN : periods > 0 ? Math.min((throttled / periods) * 100, 100) : 0;
  series[seriesOffset + S.memoryBytes] = gauge(cur, Field.memoryCurrentBytes);
  series[seriesOffset + S.ioReadBytesPerSec] = rate(prev, cur, Field.ioRbytes, dtSec);
  series[seriesOffset + S.ioWriteBytesPerSec] = rate(prev, cur, Field.ioWbytes, dtSec);
  series[seriesOffset + S.psiCpuSomePct] = stallPct(prev, cur, Field.psiCpuSomeTotalUsec, dtSec);
  series[seriesOffset + S.psiMemorySomePct] = stallPct(prev, cur, Field.psiMemorySomeTotalUsec, dtSec);
  series[seriesOffset + S.psiIoSomePct] = stallPct(prev, cur, Field.psiIoSomeTotalUsec, dtSec);

  const user = rate(prev, cur, Field.cpuUserUsec, dtSec);
  const system = rate(prev, cur, Field.cpuSystemUsec, dtSec);
  extras[extrasOffset + X.cpuUserCores] = user / 1e6;
  extras[extrasOffset + X.cpuSystemCores] = system / 1e6;
  extras[extrasOffset + X.ioReadOpsPerSec] = rate(prev, cur, Field.ioRios, dtSec);
  extras[extrasOffset + X.ioWriteOpsPerSec] = rate(prev, cur, Field.ioWios, dtSec);
  extras[extrasOffset + X.pgfaultPerSec] = rate(prev, cur, Field.memoryPgfault, dtSec);
  extras[extrasOffset + X.pgmajfaultPerSec] = rate(prev, cur, Field.memoryPgmajfault, dtSec);
  extras[extrasOffset + X.psiMemoryFullPct] = stallPct(prev, cur, Field.psiMemoryFullTotalUsec, dtSec);
  extras[extrasOffset + X.psiIoFullPct] = stallPct(prev, cur, Field.psiIoFullTotalUsec, dtSec);
  extras[extrasOffset + X.memoryAnonBytes] = gauge(cur, Field.memoryAnonBytes);
  extras[extrasOffset + X.memoryFileBytes] = gauge(cur, Field.memoryFileBytes);
  extras[extrasOffset + X.memoryKernelBytes] = gauge(cur, Field.memoryKernelBytes);
  extras[extrasOffset + X.memorySwapBytes] = gauge(cur, Field.memorySwapCurrentBytes);
}

/** Growth of a counter field between two rows, 0 when unknown or reset (for event counts). */
export function counterDelta(prev: RawRow, cur: RawRow, field: number): number {
  if (!has(prev, field) || !has(cur, field)) return 0;
  const d = get(cur, field) - get(prev, field);
  return d > 0 ? d : 0;
}

/** Copy FIELD_COUNT values of a sampler batch row (bigint) into a Float64 row. */
export function copyBatchRow(values: BigUint64Array, row: number, out: Float64Array, outOffset: number): void {
  const base = row * FIELD_COUNT;
  for (let f = 0; f < FIELD_COUNT; f++) out[outOffset + f] = Number(values[base + f] ?? 0n);
}

export { EXTRAS_COUNT, SERIES_COUNT };
