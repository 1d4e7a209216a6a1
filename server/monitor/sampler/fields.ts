/**
 * The fields one sweep reports per cgroup, in the order of `SampleBatch.values` (one row of
 * FIELD_COUNT per target) and of the bits of `SampleBatch.present`.
 *
 * The C addon keeps the same list in native/src/fields.h; the loader refuses an addon whose
 * list differs (see loadNative.ts) and fields.test.ts compares the header with this table, so
 * the two cannot drift apart silently. Append new fields at the end and bump nothing else:
 * the order IS the wire format.
 */

export type FieldUnit = 'usec' | 'bytes' | 'count';
/** counter: only grows while the cgroup lives (rate = delta / time); gauge: a level. */
export type FieldType = 'counter' | 'gauge';

export interface FieldInfo {
  id: string;
  /** The kernel's word for it (v2 file and key). */
  name: string;
  unit: FieldUnit;
  type: FieldType;
}

export const FIELDS = [
  { id: 'cpuUsageUsec', name: 'cpu.usage_usec', unit: 'usec', type: 'counter' },
  { id: 'cpuUserUsec', name: 'cpu.user_usec', unit: 'usec', type: 'counter' },
  { id: 'cpuSystemUsec', name: 'cpu.system_usec', unit: 'usec', type: 'counter' },
  { id: 'cpuNrPeriods', name: 'cpu.nr_periods', unit: 'count', type: 'counter' },
  { id: 'cpuNrThrottled', name: 'cpu.nr_throttled', unit: 'count', type: 'counter' },
  { id: 'cpuThrottledUsec', name: 'cpu.throttled_usec', unit: 'usec', type: 'counter' },
  { id: 'memoryCurrentBytes', name: 'memory.current', unit: 'bytes', type: 'gauge' },
  { id: 'memoryAnonBytes', name: 'memory.anon', unit: 'bytes', type: 'gauge' },
  { id: 'memoryFileBytes', name: 'memory.file', unit: 'bytes', type: 'gauge' },
  { id: 'memoryKernelBytes', name: 'memory.kernel', unit: 'bytes', type: 'gauge' },
  { id: 'memorySwapCurrentBytes', name: 'memory.swap.current', unit: 'bytes', type: 'gauge' },
  { id: 'memoryPgfault', name: 'memory.pgfault', unit: 'count', type: 'counter' },
  { id: 'memoryPgmajfault', name: 'memory.pgmajfault', unit: 'count', type: 'counter' },
  { id: 'memoryEventsOom', name: 'memory.events.oom', unit: 'count', type: 'counter' },
  { id: 'memoryEventsOomKill', name: 'memory.events.oom_kill', unit: 'count', type: 'counter' },
  { id: 'memoryEventsHigh', name: 'memory.events.high', unit: 'count', type: 'counter' },
  { id: 'memoryEventsMax', name: 'memory.events.max', unit: 'count', type: 'counter' },
  { id: 'ioRbytes', name: 'io.rbytes', unit: 'bytes', type: 'counter' },
  { id: 'ioWbytes', name: 'io.wbytes', unit: 'bytes', type: 'counter' },
  { id: 'ioRios', name: 'io.rios', unit: 'count', type: 'counter' },
  { id: 'ioWios', name: 'io.wios', unit: 'count', type: 'counter' },
  { id: 'pidsCurrent', name: 'pids.current', unit: 'count', type: 'gauge' },
  { id: 'psiCpuSomeTotalUsec', name: 'cpu.pressure.some.total', unit: 'usec', type: 'counter' },
  { id: 'psiMemorySomeTotalUsec', name: 'memory.pressure.some.total', unit: 'usec', type: 'counter' },
  { id: 'psiMemoryFullTotalUsec', name: 'memory.pressure.full.total', unit: 'usec', type: 'counter' },
  { id: 'psiIoSomeTotalUsec', name: 'io.pressure.some.total', unit: 'usec', type: 'counter' },
  { id: 'psiIoFullTotalUsec', name: 'io.pressure.full.total', unit: 'usec', type: 'counter' },
] as const satisfies readonly FieldInfo[];

export type FieldId = (typeof FIELDS)[number]['id'];

export const FIELD_COUNT = FIELDS.length;

/** Field id → index into a row of `values` (and bit of `present`). */
export const Field = Object.fromEntries(FIELDS.map((f, i) => [f.id, i])) as Record<FieldId, number>;

export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** `present` is one 32-bit mask per target. */
const MAX_FIELDS = 32;
if (FIELD_COUNT > MAX_FIELDS) throw new Error(`${FIELD_COUNT} sampler fields do not fit the 32-bit present mask`);

export function fieldBit(index: number): number {
  return (1 << index) >>> 0;
}

/** The mask of the given fields. */
export function fieldMask(...ids: FieldId[]): number {
  let mask = 0;
  for (const id of ids) mask = (mask | fieldBit(Field[id])) >>> 0;
  return mask;
}

export const ALL_FIELDS_MASK: number = FIELDS.reduce((mask, _f, i) => (mask | fieldBit(i)) >>> 0, 0);
