/**
 * Text of one sampled file → the fields it gives. Built on the shared parsers of server/cgroup
 * (parse.ts and the per-controller helpers) so the sampler reads every file exactly as the
 * cgroup module does; the C addon (native/src/parse.c) mirrors these rules and the fixture
 * tests hold the two to the same values.
 *
 * Rules both sides keep:
 *  - a file that does not parse gives nothing at all (a ParseError names it);
 *  - a value a field takes must be a non-negative integer below 2^64, else ParseError;
 *  - per-device sums (io) wrap modulo 2^64, like the kernel's own counters.
 */
import { ticksToUsec } from '@/server/cgroup/v1/cpuacct';
import { parseOomControl } from '@/server/cgroup/v1/memory';
import { cpuUsageFromStat } from '@/server/cgroup/v2/cpu';
import { parseIoStat } from '@/server/cgroup/v2/io';
import { parseMemoryEvents } from '@/server/cgroup/v2/memory';
import { ParseError, parseBlkioStat, parseFlatKeyed, parsePsi, parseUint, type FlatKeyed } from '@/server/cgroup/parse';
import { Field } from './fields';
import type { FileKind } from './kinds';

/** [field index, value] pairs; a field a file did not contain is simply not listed. */
export type FieldValues = [field: number, value: bigint][];

const U64_MAX = (1n << 64n) - 1n;

function u64(value: bigint, file: string, what: string): bigint {
  if (value < 0n || value > U64_MAX) throw new ParseError(file, value.toString(), `${what} is not a 64-bit unsigned value`);
  return value;
}

function wrap64(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

/** Push `convert(raw)` for the first key present, checking the raw and the converted value. */
function pushKey(
  out: FieldValues,
  field: number,
  stat: FlatKeyed,
  keys: readonly string[],
  file: string,
  convert: (raw: bigint) => bigint = (v) => v,
): void {
  for (const key of keys) {
    const raw = stat.get(key);
    if (raw === undefined) continue;
    out.push([field, u64(convert(u64(raw, file, key)), file, key)]);
    return;
  }
}

/**
 * v1 memory.stat: the hierarchical total_* keys where the kernel has them, the cgroup's own
 * otherwise — the same choice as server/cgroup/v1/memory.ts (which keeps it inline, hence here).
 * v1 "rss" is anonymous memory (v2 "anon"), "cache" the page cache (v2 "file").
 */
export function v1MemoryStatFields(stat: FlatKeyed, file: string): FieldValues {
  const out: FieldValues = [];
  pushKey(out, Field.memoryAnonBytes, stat, ['total_rss', 'rss'], file);
  pushKey(out, Field.memoryFileBytes, stat, ['total_cache', 'cache'], file);
  pushKey(out, Field.memoryPgfault, stat, ['total_pgfault', 'pgfault'], file);
  pushKey(out, Field.memoryPgmajfault, stat, ['total_pgmajfault', 'pgmajfault'], file);
  return out;
}

/** v1 cpu.stat: throttling counters, throttled_time in ns (v2 counts µs). */
export function v1CpuStatFields(stat: FlatKeyed, file: string): FieldValues {
  const out: FieldValues = [];
  pushKey(out, Field.cpuNrPeriods, stat, ['nr_periods'], file);
  pushKey(out, Field.cpuNrThrottled, stat, ['nr_throttled'], file);
  pushKey(out, Field.cpuThrottledUsec, stat, ['throttled_time'], file, (ns) => ns / 1000n);
  return out;
}

/** v2 memory.stat: the keys of server/cgroup/v2/memory.ts. */
export function v2MemoryStatFields(stat: FlatKeyed, file: string): FieldValues {
  const out: FieldValues = [];
  pushKey(out, Field.memoryAnonBytes, stat, ['anon'], file);
  pushKey(out, Field.memoryFileBytes, stat, ['file'], file);
  pushKey(out, Field.memoryKernelBytes, stat, ['kernel'], file);
  pushKey(out, Field.memoryPgfault, stat, ['pgfault'], file);
  pushKey(out, Field.memoryPgmajfault, stat, ['pgmajfault'], file);
  return out;
}

function single(field: number, text: string, file: string, convert: (v: bigint) => bigint = (v) => v): FieldValues {
  return [[field, u64(convert(u64(parseUint(text, file), file, 'value')), file, 'value')]];
}

function sumDevices(values: Iterable<bigint>): bigint {
  let sum = 0n;
  for (const v of values) sum += v;
  return wrap64(sum);
}

/** v1 blkio.throttle.io_service_bytes / io_serviced: Read and Write summed over devices ("Total" lines left out). */
function blkioFields(text: string, file: string, readField: number, writeField: number): FieldValues {
  const stat = parseBlkioStat(text, file);
  const ops = [...stat.devices.values()];
  const pick = (op: string) => sumDevices(ops.map((m) => u64(m.get(op) ?? 0n, file, op)));
  return [
    [readField, pick('Read')],
    [writeField, pick('Write')],
  ];
}

export function parseSampleFile(kind: FileKind, text: string, file: string): FieldValues {
  switch (kind) {
    case 'v1.cpuacct.usage':
      return single(Field.cpuUsageUsec, text, file, (ns) => ns / 1000n);
    case 'v1.cpuacct.stat': {
      const stat = parseFlatKeyed(text, file);
      const out: FieldValues = [];
      pushKey(out, Field.cpuUserUsec, stat, ['user'], file, ticksToUsec);
      pushKey(out, Field.cpuSystemUsec, stat, ['system'], file, ticksToUsec);
      return out;
    }
    case 'v1.cpu.stat':
      return v1CpuStatFields(parseFlatKeyed(text, file), file);
    case 'v1.memory.usage_in_bytes':
      return single(Field.memoryCurrentBytes, text, file);
    case 'v1.memory.stat':
      return v1MemoryStatFields(parseFlatKeyed(text, file), file);
    case 'v1.memory.kmem.usage_in_bytes':
      return single(Field.memoryKernelBytes, text, file);
    case 'v1.memory.memsw.usage_in_bytes':
      // memory+swap; the sampler turns it into swap alone once memory.current is known.
      return single(Field.memorySwapCurrentBytes, text, file);
    case 'v1.memory.failcnt':
      // failcnt counts how often usage hit the limit: v2's "max" event.
      return single(Field.memoryEventsMax, text, file);
    case 'v1.memory.oom_control': {
      const oomKill = parseOomControl(text).oomKill; // since Linux 4.13
      return oomKill === null ? [] : [[Field.memoryEventsOomKill, u64(oomKill, file, 'oom_kill')]];
    }
    case 'v1.blkio.io_service_bytes':
      return blkioFields(text, file, Field.ioRbytes, Field.ioWbytes);
    case 'v1.blkio.io_serviced':
      return blkioFields(text, file, Field.ioRios, Field.ioWios);
    case 'pids.current':
      return single(Field.pidsCurrent, text, file);
    case 'v2.cpu.stat': {
      const cpu = cpuUsageFromStat(text);
      const out: FieldValues = [];
      const put = (field: number, v: bigint | null | undefined, key: string) => {
        if (v !== undefined && v !== null) out.push([field, u64(v, file, key)]);
      };
      put(Field.cpuUsageUsec, cpu.usageUsec, 'usage_usec');
      put(Field.cpuUserUsec, cpu.userUsec, 'user_usec');
      put(Field.cpuSystemUsec, cpu.systemUsec, 'system_usec');
      put(Field.cpuNrPeriods, cpu.nrPeriods, 'nr_periods');
      put(Field.cpuNrThrottled, cpu.nrThrottled, 'nr_throttled');
      put(Field.cpuThrottledUsec, cpu.throttledUsec, 'throttled_usec');
      return out;
    }
    case 'v2.memory.current':
      return single(Field.memoryCurrentBytes, text, file);
    case 'v2.memory.stat':
      return v2MemoryStatFields(parseFlatKeyed(text, file), file);
    case 'v2.memory.swap.current':
      return single(Field.memorySwapCurrentBytes, text, file);
    case 'v2.memory.events': {
      const e = parseMemoryEvents(text);
      return [
        [Field.memoryEventsOom, u64(e.oom, file, 'oom')],
        [Field.memoryEventsOomKill, u64(e.oomKill, file, 'oom_kill')],
        [Field.memoryEventsHigh, u64(e.high, file, 'high')],
        [Field.memoryEventsMax, u64(e.max, file, 'max')],
      ];
    }
    case 'v2.io.stat': {
      const devices = parseIoStat(text);
      const sum = (pick: (d: (typeof devices)[number]) => bigint, key: string) => sumDevices(devices.map((d) => u64(pick(d), file, key)));
      return [
        [Field.ioRbytes, sum((d) => d.rbytes, 'rbytes')],
        [Field.ioWbytes, sum((d) => d.wbytes, 'wbytes')],
        [Field.ioRios, sum((d) => d.rios, 'rios')],
        [Field.ioWios, sum((d) => d.wios, 'wios')],
      ];
    }
    case 'v2.cpu.pressure':
      return [[Field.psiCpuSomeTotalUsec, u64(parsePsi(text, file).some.totalUsec, file, 'total')]];
    case 'v2.memory.pressure':
      return psiFields(text, file, Field.psiMemorySomeTotalUsec, Field.psiMemoryFullTotalUsec);
    case 'v2.io.pressure':
      return psiFields(text, file, Field.psiIoSomeTotalUsec, Field.psiIoFullTotalUsec);
  }
}

function psiFields(text: string, file: string, someField: number, fullField: number): FieldValues {
  const psi = parsePsi(text, file);
  const out: FieldValues = [[someField, u64(psi.some.totalUsec, file, 'some total')]];
  if (psi.full) out.push([fullField, u64(psi.full.totalUsec, file, 'full total')]);
  return out;
}

/**
 * v1 reports memory+swap (memsw), v2 swap alone: swap = memsw − memory.current, read in the
 * same sweep (clamped at 0: the two files are read a moment apart). Without memory.current
 * in this sweep there is no swap figure. `fromMemsw` says the swap slot holds memsw.
 */
export function finishSwap(values: BigUint64Array, base: number, present: number, fromMemsw: boolean): number {
  const swapBit = (1 << Field.memorySwapCurrentBytes) >>> 0;
  if (!fromMemsw || (present & swapBit) === 0) return present;
  if ((present & ((1 << Field.memoryCurrentBytes) >>> 0)) === 0) {
    values[base + Field.memorySwapCurrentBytes] = 0n;
    return (present & ~swapBit) >>> 0;
  }
  const memsw = values[base + Field.memorySwapCurrentBytes] ?? 0n;
  const current = values[base + Field.memoryCurrentBytes] ?? 0n;
  values[base + Field.memorySwapCurrentBytes] = memsw > current ? memsw - current : 0n;
  return present;
}
