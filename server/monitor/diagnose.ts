/**
 * "Why is it slow?": the reasons that stand out in a cgroup's latest values, limits and recent
 * events, most serious first, in plain words.
 */
import type { MonitorEvent } from './events';
import type { CgroupLimitsView } from './limits';
import type { EXTRAS, SeriesId } from './series';

export interface DiagnoseResult {
  ref: string;
  path: string | null;
  name: string | null;
  at: number | null;
  values: Record<SeriesId, number | null> | null;
  extras: Record<(typeof EXTRAS)[number]['id'], number | null> | null;
  limits: CgroupLimitsView | null;
  counters: { oomKills: number | null; memoryMaxEvents: number | null; throttledPeriods: number | null; periods: number | null };
  findings: { severity: 'ok' | 'info' | 'warning' | 'critical'; title: string; detail: string }[];
  events: MonitorEvent[];
}

const fmtPct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
const fmtMiB = (b: number) => `${(b / 1048576).toFixed(b < 10 * 1048576 ? 1 : 0)} MiB`;

/** Plain-words reasons a cgroup may be slow, most serious first. */
export function findings(
  v: Record<SeriesId, number | null>,
  x: Record<(typeof EXTRAS)[number]['id'], number | null>,
  limits: CgroupLimitsView | null,
  events: readonly MonitorEvent[],
): DiagnoseResult['findings'] {
  const out: DiagnoseResult['findings'] = [];
  const ooms = events.filter((e) => e.type === 'oom_kill');
  if (ooms.length > 0) {
    const killed = ooms.reduce((n, e) => n + (Number(e.details?.count) || 1), 0);
    out.push({ severity: 'critical', title: 'Processes were OOM-killed', detail: `${killed} kill${killed === 1 ? '' : 's'} in the last hour: memory max${limits?.memoryMaxBytes ? ` (${fmtMiB(limits.memoryMaxBytes)})` : ''} is too small for this workload.` });
  }
  if ((v.cpuThrottledPct ?? 0) >= 5) {
    const quota = limits?.cpuQuotaCores;
    out.push({
      severity: (v.cpuThrottledPct ?? 0) >= 25 ? 'critical' : 'warning',
      title: 'CPU quota throttling',
      detail: `Throttled in ${fmtPct(v.cpuThrottledPct ?? 0)} of CFS periods${quota ? `; using ${(v.cpuCores ?? 0).toFixed(2)} of a ${Number(quota.toFixed(2))} CPU quota` : ''}. Raise cpu.max or spread the work.`,
    });
  } else if (limits?.cpuQuotaCores && (v.cpuCores ?? 0) >= limits.cpuQuotaCores * 0.9) {
    out.push({ severity: 'warning', title: 'CPU at its quota', detail: `Using ${(v.cpuCores ?? 0).toFixed(2)} of ${Number(limits.cpuQuotaCores.toFixed(2))} CPUs.` });
  }
  if (limits?.memoryMaxBytes && v.memoryBytes !== null && v.memoryBytes >= limits.memoryMaxBytes * 0.9) {
    out.push({ severity: 'warning', title: 'Memory near its max', detail: `${fmtMiB(v.memoryBytes)} of ${fmtMiB(limits.memoryMaxBytes)}: the kernel reclaims page cache and may OOM-kill.` });
  }
  if (limits?.memoryHighBytes && v.memoryBytes !== null && v.memoryBytes >= limits.memoryHighBytes) {
    out.push({ severity: 'warning', title: 'Memory above memory.high', detail: `${fmtMiB(v.memoryBytes)} over a high mark of ${fmtMiB(limits.memoryHighBytes)}: allocations are throttled.` });
  }
  const psi: [string, number | null, number | null, string][] = [
    ['Memory pressure', v.psiMemorySomePct, x.psiMemoryFullPct, 'waiting for memory (reclaim, swap-in, refaults)'],
    ['I/O pressure', v.psiIoSomePct, x.psiIoFullPct, 'waiting for block I/O'],
    ['CPU pressure', v.psiCpuSomePct, null, 'runnable but waiting for a CPU (contention or quota)'],
  ];
  for (const [title, some, full, why] of psi) {
    if (some === null || some < 5) continue;
    out.push({ severity: some >= 25 || (full ?? 0) >= 10 ? 'critical' : 'warning', title, detail: `Tasks stalled ${fmtPct(some)} of the time${full !== null ? ` (all tasks at once ${fmtPct(full)})` : ''}: ${why}.` });
  }
  if ((x.pgmajfaultPerSec ?? 0) >= 50) {
    out.push({ severity: 'info', title: 'Major page faults', detail: `${Math.round(x.pgmajfaultPerSec ?? 0)} per second: pages read back from disk (swap or mapped files).` });
  }
  if (out.length === 0) out.push({ severity: 'ok', title: 'Nothing stands out', detail: 'No throttling, no memory or I/O pressure, no OOM kill in the last hour.' });
  const rank = { critical: 0, warning: 1, info: 2, ok: 3 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

