/**
 * The kinds of file the sampler reads and the fields each can give. A kind is a parser: both
 * samplers (TypeScript and C) know the same list, and the loader refuses an addon whose list
 * differs. Which kind is read from which directory is decided in plan.ts, once, for both.
 */
import { Field, fieldMask, type FieldId } from './fields';

export const FILE_KINDS = [
  'v1.cpuacct.usage',
  'v1.cpuacct.stat',
  'v1.cpu.stat',
  'v1.memory.usage_in_bytes',
  'v1.memory.stat',
  'v1.memory.kmem.usage_in_bytes',
  'v1.memory.memsw.usage_in_bytes',
  'v1.memory.failcnt',
  'v1.memory.oom_control',
  'v1.blkio.io_service_bytes',
  'v1.blkio.io_serviced',
  'pids.current',
  'v2.cpu.stat',
  'v2.memory.current',
  'v2.memory.stat',
  'v2.memory.swap.current',
  'v2.memory.events',
  'v2.io.stat',
  'v2.cpu.pressure',
  'v2.memory.pressure',
  'v2.io.pressure',
] as const;

export type FileKind = (typeof FILE_KINDS)[number];

const kindFields: Record<FileKind, FieldId[]> = {
  'v1.cpuacct.usage': ['cpuUsageUsec'],
  'v1.cpuacct.stat': ['cpuUserUsec', 'cpuSystemUsec'],
  'v1.cpu.stat': ['cpuNrPeriods', 'cpuNrThrottled', 'cpuThrottledUsec'],
  'v1.memory.usage_in_bytes': ['memoryCurrentBytes'],
  'v1.memory.stat': ['memoryAnonBytes', 'memoryFileBytes', 'memoryPgfault', 'memoryPgmajfault'],
  'v1.memory.kmem.usage_in_bytes': ['memoryKernelBytes'],
  'v1.memory.memsw.usage_in_bytes': ['memorySwapCurrentBytes'],
  'v1.memory.failcnt': ['memoryEventsMax'],
  'v1.memory.oom_control': ['memoryEventsOomKill'],
  'v1.blkio.io_service_bytes': ['ioRbytes', 'ioWbytes'],
  'v1.blkio.io_serviced': ['ioRios', 'ioWios'],
  'pids.current': ['pidsCurrent'],
  'v2.cpu.stat': ['cpuUsageUsec', 'cpuUserUsec', 'cpuSystemUsec', 'cpuNrPeriods', 'cpuNrThrottled', 'cpuThrottledUsec'],
  'v2.memory.current': ['memoryCurrentBytes'],
  'v2.memory.stat': ['memoryAnonBytes', 'memoryFileBytes', 'memoryKernelBytes', 'memoryPgfault', 'memoryPgmajfault'],
  'v2.memory.swap.current': ['memorySwapCurrentBytes'],
  'v2.memory.events': ['memoryEventsOom', 'memoryEventsOomKill', 'memoryEventsHigh', 'memoryEventsMax'],
  'v2.io.stat': ['ioRbytes', 'ioWbytes', 'ioRios', 'ioWios'],
  'v2.cpu.pressure': ['psiCpuSomeTotalUsec'],
  'v2.memory.pressure': ['psiMemorySomeTotalUsec', 'psiMemoryFullTotalUsec'],
  'v2.io.pressure': ['psiIoSomeTotalUsec', 'psiIoFullTotalUsec'],
};

/** The fields a kind of file can give (bits of `present`). */
export function kindFieldMask(kind: FileKind): number {
  return fieldMask(...kindFields[kind]);
}

export function isFileKind(text: string): text is FileKind {
  return (FILE_KINDS as readonly string[]).includes(text);
}

export { Field };
