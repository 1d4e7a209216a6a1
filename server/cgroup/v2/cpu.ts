/**
 * cgroup v2 cpu controller: cpu.max, cpu.weight, and cpu.stat (whose usage fields are core and
 * exist even where the cpu controller is not enabled, e.g. on a hybrid host's unified mount).
 */
import type { ControllerDriver, UsagePart } from '../driver';
import { readCgroupFile, readOptional, type CgroupDir } from '../fsio';
import type { CpuLimits, CpuUsage } from '../model';
import { ParseError, parseFlatKeyed, parseNumberLimit, parseUint, toSafeNumber } from '../parse';

/** cpu.max: "$QUOTA $PERIOD", QUOTA "max" when unlimited. */
export interface CpuMaxFile {
  quotaUs: number | null;
  periodUs: number;
}

/** The period the kernel starts every cgroup with. */
export const DEFAULT_PERIOD_US = 100_000;
/** cpu.weight of a cgroup nobody has tuned. */
export const DEFAULT_CPU_WEIGHT = 100;

export function parseCpuMax(text: string): CpuMaxFile {
  const parts = text.trim().split(/\s+/);
  const [quota, period] = parts;
  if (parts.length !== 2 || quota === undefined || period === undefined) {
    throw new ParseError('cpu.max', text, 'expected "$QUOTA $PERIOD"');
  }
  return { quotaUs: parseNumberLimit(quota, 'cpu.max'), periodUs: toSafeNumber(parseUint(period, 'cpu.max'), 'cpu.max') };
}

export function formatCpuMax(v: CpuMaxFile): string {
  return `${v.quotaUs ?? 'max'} ${v.periodUs}`;
}

/** cpu.stat: usage fields always, throttling fields only with the cpu controller enabled. */
export function cpuUsageFromStat(text: string): Partial<CpuUsage> {
  const stat = parseFlatKeyed(text, 'cpu.stat');
  const usage = stat.get('usage_usec');
  const out: Partial<CpuUsage> = {};
  if (usage !== undefined) out.usageUsec = usage;
  const put = <K extends keyof CpuUsage>(key: K, statKey: string) => {
    const v = stat.get(statKey);
    if (v !== undefined) out[key] = v as CpuUsage[K];
  };
  put('userUsec', 'user_usec');
  put('systemUsec', 'system_usec');
  put('nrPeriods', 'nr_periods');
  put('nrThrottled', 'nr_throttled');
  put('throttledUsec', 'throttled_usec');
  return out;
}

async function readCpuStat(d: CgroupDir): Promise<UsagePart> {
  const text = await readOptional(d, 'cpu.stat');
  return text === null ? {} : { cpu: cpuUsageFromStat(text) };
}

export const v2CpuDriver: ControllerDriver = {
  name: 'v2 cpu',
  patchKeys: ['cpuMaxQuotaUs', 'cpuMaxPeriodUs', 'cpuWeight'],
  usageAreas: ['cpu'],

  async readLimits(d) {
    const max = await readOptional(d, 'cpu.max');
    if (max === null) return {}; // cpu not enabled in the parent's subtree_control
    const { quotaUs, periodUs } = parseCpuMax(max);
    const weight = await readOptional(d, 'cpu.weight');
    const cpu: CpuLimits = {
      maxQuotaUs: quotaUs,
      maxPeriodUs: periodUs,
      weight: weight === null ? null : toSafeNumber(parseUint(weight, 'cpu.weight'), 'cpu.weight'),
    };
    return { cpu };
  },

  readUsage: readCpuStat,

  async apply(d, patch, ctx) {
    if (patch.cpuMaxQuotaUs !== undefined || patch.cpuMaxPeriodUs !== undefined) {
      // Quota and period share one file, so a change of either rewrites both.
      const current = parseCpuMax(await readCgroupFile(d, 'cpu.max'));
      const next: CpuMaxFile = {
        quotaUs: patch.cpuMaxQuotaUs !== undefined ? patch.cpuMaxQuotaUs : current.quotaUs,
        periodUs: patch.cpuMaxPeriodUs ?? current.periodUs,
      };
      await ctx.journal.write(d, 'cpu.max', formatCpuMax(next), {
        field: patch.cpuMaxQuotaUs !== undefined ? 'cpuMaxQuotaUs' : 'cpuMaxPeriodUs',
      });
    }
    if (patch.cpuWeight !== undefined) {
      await ctx.journal.write(d, 'cpu.weight', String(patch.cpuWeight ?? DEFAULT_CPU_WEIGHT), { field: 'cpuWeight' });
    }
  },
};

/** Usage alone, for a unified hierarchy whose cpu controller is not ours (hybrid hosts). */
export const v2CpuStatDriver: ControllerDriver = {
  name: 'v2 cpu.stat',
  patchKeys: [],
  usageAreas: ['cpu'],
  readUsage: readCpuStat,
};
