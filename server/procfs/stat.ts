import { CgdashError } from '@/server/lib/errors';

/** /proc/PID/stat, see proc(5). Times are in clock ticks (USER_HZ), sizes as named. */
export interface ProcStat {
  pid: number;
  /** Executable name, at most 15 bytes; may contain spaces and parentheses. */
  comm: string;
  /** R running, S sleeping, D disk sleep, Z zombie, T stopped, t traced, X dead, I idle, P parked. */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tpgid: number;
  /** PF_* flags; PF_KTHREAD (0x00200000) marks kernel threads. */
  flags: number;
  minflt: number;
  majflt: number;
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
  priority: number;
  nice: number;
  numThreads: number;
  /** Time the process started after system boot. */
  startTimeTicks: number;
  vsizeBytes: number;
  rssPages: number;
  /** CPU the task last ran on; null on kernels that do not report it. */
  processor: number | null;
}

export const PF_KTHREAD = 0x00200000;

/**
 * Parse /proc/PID/stat. comm is whatever the program named itself and may hold spaces and
 * ")" — so it runs from the first "(" to the LAST ")", and the numeric fields follow that.
 */
export function parseProcStat(text: string, file = 'stat'): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    throw new CgdashError('internal', `${file}: not a /proc/PID/stat line: ${JSON.stringify(text.slice(0, 80))}`, { file });
  }
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N of proc(5) is rest[N - 3].
  const field = (n: number): number => Number(rest[n - 3] ?? NaN);
  const state = rest[0] ?? '';
  if (!Number.isSafeInteger(pid) || state.length !== 1 || rest.length < 22) {
    throw new CgdashError('internal', `${file}: not a /proc/PID/stat line: ${JSON.stringify(text.slice(0, 80))}`, { file });
  }
  const processor = field(39);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    ttyNr: field(7),
    tpgid: field(8),
    flags: field(9),
    minflt: field(10),
    majflt: field(12),
    utimeTicks: field(14),
    stimeTicks: field(15),
    cutimeTicks: field(16),
    cstimeTicks: field(17),
    priority: field(18),
    nice: field(19),
    numThreads: field(20),
    startTimeTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
    processor: Number.isFinite(processor) ? processor : null,
  };
}

export function isKernelThread(stat: Pick<ProcStat, 'flags'>): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** Boot time in seconds since the epoch: the `btime` line of /proc/stat. */
export function parseBootTimeSec(procStatText: string): number {
  const m = /^btime\s+(\d+)$/m.exec(procStatText);
  if (!m) throw new CgdashError('internal', '/proc/stat has no btime line');
  return Number(m[1]);
}
