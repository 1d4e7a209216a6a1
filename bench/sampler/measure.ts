/** Timing of sampler sweeps, and the statistics the report shows. */
import type { CgroupSampler } from '@/server/monitor/sampler';

export interface SweepTime {
  wallNs: number;
  /** CPU time of the whole process (all threads) during the sweep. */
  cpuNs: number;
}

/**
 * One sweep, timed from the sample() call to the resolved batch: the thread-pool hand-off and
 * the batch building included, as the monitor loop sees it.
 */
export async function timeSweep(sampler: CgroupSampler, expectTargets: number): Promise<SweepTime> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const batch = await sampler.sample();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (batch.errors.length || batch.vanished.some((v) => v !== 0) || batch.keys.length !== expectTargets) {
    throw new Error(`${sampler.kind}: unexpected sweep (${batch.errors.length} errors, first: ${batch.errors[0]?.message ?? 'none'})`);
  }
  return { wallNs, cpuNs: (cpu.user + cpu.system) * 1000 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Median (or minimum) of one measure over sweeps, per cgroup, in µs. */
export function perCgroupUs(times: readonly SweepTime[], key: keyof SweepTime, cgroups: number, stat: 'median' | 'min' = 'median'): number {
  const values = times.map((t) => t[key]);
  return (stat === 'min' ? Math.min(...values) : median(values)) / cgroups / 1000;
}
