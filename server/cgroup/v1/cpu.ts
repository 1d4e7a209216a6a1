/**
 * cgroup v1 cpu controller: CFS bandwidth (cpu.cfs_quota_us, cpu.cfs_period_us), cpu.shares,
 * and throttling counters in cpu.stat. Mapped onto the v2 model (cpu.max, cpu.weight).
 */
import { CgdashError, errnoOf } from '@/server/lib/errors';
import type { ControllerDriver } from '../driver';
import { readCgroupFile, readOptional } from '../fsio';
import type { CpuLimits, CpuUsage } from '../model';
import { parseFlatKeyed, parseNumberLimit, parseUint, toSafeNumber } from '../parse';

export const SHARES_MIN = 2;
export const SHARES_MAX = 262144;
/** What a v1 cgroup gets when nobody set cpu.shares. */
export const DEFAULT_SHARES = 1024;

/**
 * cpu.shares (2..262144) → cpu.weight (1..10000): the linear map runc and systemd use for the
 * v1→v2 conversion, 1 + ((shares - 2) * 9999) / 262142. Note it is not centred on the
 * defaults: 1024 shares reads as weight 39.
 */
export function sharesToWeight(shares: number): number {
  const s = Math.min(Math.max(shares, SHARES_MIN), SHARES_MAX);
  return 1 + Math.floor(((s - 2) * 9999) / 262142);
}

/**
 * The inverse for writes, rounded up: the smallest shares value that reads back as the same
 * weight, so a weight written and read again is the weight the admin typed.
 */
export function weightToShares(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262142) / 9999);
}

export const v1CpuDriver: ControllerDriver = {
  name: 'v1 cpu',
  patchKeys: ['cpuMaxQuotaUs', 'cpuMaxPeriodUs', 'cpuWeight'],
  usageAreas: ['cpu'],

  async readLimits(d) {
    const quota = await readOptional(d, 'cpu.cfs_quota_us');
    if (quota === null) return {}; // kernel without CONFIG_CFS_BANDWIDTH
    const shares = await readOptional(d, 'cpu.shares');
    const cpu: CpuLimits = {
      maxQuotaUs: parseNumberLimit(quota, 'cpu.cfs_quota_us'),
      maxPeriodUs: toSafeNumber(parseUint(await readCgroupFile(d, 'cpu.cfs_period_us'), 'cpu.cfs_period_us'), 'cpu.cfs_period_us'),
      weight: shares === null ? null : sharesToWeight(toSafeNumber(parseUint(shares, 'cpu.shares'), 'cpu.shares')),
    };
    return { cpu };
  },

  async readUsage(d) {
    const text = await readOptional(d, 'cpu.stat');
    if (text === null) return {};
    const stat = parseFlatKeyed(text, 'cpu.stat');
    const cpu: Partial<CpuUsage> = {};
    const periods = stat.get('nr_periods');
    const throttled = stat.get('nr_throttled');
    const throttledNs = stat.get('throttled_time'); // v1 counts nanoseconds, v2 microseconds
    if (periods !== undefined) cpu.nrPeriods = periods;
    if (throttled !== undefined) cpu.nrThrottled = throttled;
    if (throttledNs !== undefined) cpu.throttledUsec = throttledNs / 1000n;
    return { cpu };
  },

  async apply(d, patch, ctx) {
    const quota = patch.cpuMaxQuotaUs === undefined ? undefined : String(patch.cpuMaxQuotaUs ?? -1);
    let period = patch.cpuMaxPeriodUs === undefined ? undefined : String(patch.cpuMaxPeriodUs);
    if (period !== undefined) {
      try {
        await ctx.journal.write(d, 'cpu.cfs_period_us', period, { field: 'cpuMaxPeriodUs' });
        period = undefined;
      } catch (err) {
        // A shorter period can fail (EINVAL) because old quota / new period would exceed the
        // parent's bandwidth; with a new quota coming, set the quota first and retry (as runc).
        const cause = err instanceof CgdashError ? err.cause : err;
        if (quota === undefined || errnoOf(cause) !== 'EINVAL') throw err;
      }
    }
    if (quota !== undefined) await ctx.journal.write(d, 'cpu.cfs_quota_us', quota, { field: 'cpuMaxQuotaUs' });
    if (period !== undefined) await ctx.journal.write(d, 'cpu.cfs_period_us', period, { field: 'cpuMaxPeriodUs' });
    if (patch.cpuWeight !== undefined) {
      const shares = patch.cpuWeight === null ? DEFAULT_SHARES : weightToShares(patch.cpuWeight);
      await ctx.journal.write(d, 'cpu.shares', String(shares), { field: 'cpuWeight' });
    }
  },
};
