/**
 * Checks of a LimitsPatch that need no kernel state: types, ranges, syntax. Run before anything
 * is written; the checks that need the kernel (usage, parent cpuset, devices) live with the
 * controller that knows the files. Every error is CgdashError 'invalid' with `field` set to the
 * LimitsPatch key so a form can show it next to the input.
 */
import { CgdashError } from '@/server/lib/errors';
import { formatBytes } from '@/server/lib/units';
import type { IoMaxEntry, LimitsPatch } from './model';
import { cpuListOutside, isDeviceNumber, normaliseCpuList, parseCpuList } from './parse';

/** The kernel's floor for a CFS period and quota (1 ms) and ceiling for the period (1 s). */
export const CPU_PERIOD_MIN_US = 1000;
export const CPU_PERIOD_MAX_US = 1_000_000;
export const CPU_QUOTA_MIN_US = 1000;
/** kernel/sched/core.c max_cfs_runtime: (1 << 44) - 1 µs. */
export const CPU_QUOTA_MAX_US = 2 ** 44 - 1;
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 10000;
/** One page: a smaller memory limit cannot hold a single page of the process. */
export const MEMORY_MIN_BYTES = 4096n;
/** 1 PiB: a memory or swap limit above this is a typo, not a machine; use null for "no limit". */
export const MEMORY_MAX_BYTES = 1n << 50n;
/** PID_MAX_LIMIT on 64-bit kernels. */
export const PIDS_MAX_LIMIT = 4_194_304;
/** io.max and blkio throttle values are u64; stay below the kernel's "no limit". */
export const IO_LIMIT_MAX = (1n << 63n) - 1n;

const patchKeys: readonly (keyof LimitsPatch)[] = [
  'cpuMaxQuotaUs', 'cpuMaxPeriodUs', 'cpuWeight', 'cpusetCpus', 'cpusetMems', 'memoryMax', 'memoryHigh',
  'memoryLow', 'memorySwapMax', 'ioMax', 'ioWeight', 'pidsMax',
];

function invalid(field: string, message: string, value?: unknown): CgdashError {
  return new CgdashError('invalid', `${field}: ${message}`, { field, value: value === undefined ? undefined : String(value) });
}

function intInRange(field: string, value: unknown, min: number, max: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, 'must be a whole number', value);
  if (value < min || value > max) throw invalid(field, `${value}${unit} is out of range ${min}${unit}..${max}${unit}`, value);
  return value;
}

function bytesInRange(field: string, value: unknown, min: bigint, max: bigint): bigint {
  if (typeof value !== 'bigint') throw invalid(field, 'must be a byte count (bigint)', value);
  if (value < min) throw invalid(field, `${formatBytes(value)} (${value} bytes) is below the minimum of ${formatBytes(min)}`, value);
  if (value > max) throw invalid(field, `${formatBytes(value)} is absurdly large (over ${formatBytes(max)}); use "no limit" instead`, value);
  return value;
}

function ioValue(field: string, value: unknown): bigint | null {
  if (value === null) return null;
  if (typeof value !== 'bigint') throw invalid(field, 'must be a whole number (bigint) or null', value);
  if (value < 1n || value > IO_LIMIT_MAX) throw invalid(field, `${value} is out of range 1..${IO_LIMIT_MAX}`, value);
  return value;
}

function cpuList(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'must be a list like "0-3,6"', value);
  const normal = normaliseCpuList(value);
  if (normal === null) throw invalid(field, `"${value}" is not a list like "0-3,6"`, value);
  if (normal === '') throw invalid(field, 'an empty list leaves no CPU or memory node; use null to inherit', value);
  return normal;
}

function ioMaxEntries(value: unknown): IoMaxEntry[] {
  if (!Array.isArray(value)) throw invalid('ioMax', 'must be a list of device limits', value);
  const seen = new Set<string>();
  return value.map((raw: unknown) => {
    const e = raw as Partial<IoMaxEntry> | null;
    if (!e || typeof e.device !== 'string' || !isDeviceNumber(e.device)) {
      throw invalid('ioMax', `device ${JSON.stringify(e?.device)} is not "MAJ:MIN"`, e?.device);
    }
    if (seen.has(e.device)) throw invalid('ioMax', `device ${e.device} is listed twice`, e.device);
    seen.add(e.device);
    return {
      device: e.device,
      rbps: ioValue('ioMax', e.rbps ?? null),
      wbps: ioValue('ioMax', e.wbps ?? null),
      riops: ioValue('ioMax', e.riops ?? null),
      wiops: ioValue('ioMax', e.wiops ?? null),
    };
  });
}

/** Validate and normalise a patch (cpu lists in kernel spelling). Throws on the first problem. */
export function validatePatch(patch: LimitsPatch): LimitsPatch {
  if (!patch || typeof patch !== 'object') throw new CgdashError('invalid', 'limits: expected an object of limits');
  for (const key of Object.keys(patch)) {
    if (!patchKeys.includes(key as keyof LimitsPatch)) throw invalid(key, 'is not a known limit');
  }
  const out: LimitsPatch = {};
  const has = (k: keyof LimitsPatch) => Object.prototype.hasOwnProperty.call(patch, k) && patch[k] !== undefined;

  if (has('cpuMaxQuotaUs')) {
    out.cpuMaxQuotaUs = patch.cpuMaxQuotaUs === null ? null : intInRange('cpuMaxQuotaUs', patch.cpuMaxQuotaUs, CPU_QUOTA_MIN_US, CPU_QUOTA_MAX_US, 'µs');
  }
  if (has('cpuMaxPeriodUs')) out.cpuMaxPeriodUs = intInRange('cpuMaxPeriodUs', patch.cpuMaxPeriodUs, CPU_PERIOD_MIN_US, CPU_PERIOD_MAX_US, 'µs');
  if (has('cpuWeight')) out.cpuWeight = patch.cpuWeight === null ? null : intInRange('cpuWeight', patch.cpuWeight, WEIGHT_MIN, WEIGHT_MAX);
  if (has('cpusetCpus')) out.cpusetCpus = cpuList('cpusetCpus', patch.cpusetCpus);
  if (has('cpusetMems')) out.cpusetMems = cpuList('cpusetMems', patch.cpusetMems);
  if (has('memoryMax')) out.memoryMax = patch.memoryMax === null ? null : bytesInRange('memoryMax', patch.memoryMax, MEMORY_MIN_BYTES, MEMORY_MAX_BYTES);
  if (has('memoryHigh')) out.memoryHigh = patch.memoryHigh === null ? null : bytesInRange('memoryHigh', patch.memoryHigh, MEMORY_MIN_BYTES, MEMORY_MAX_BYTES);
  if (has('memoryLow')) out.memoryLow = patch.memoryLow === null ? null : bytesInRange('memoryLow', patch.memoryLow, 0n, MEMORY_MAX_BYTES);
  if (has('memorySwapMax')) out.memorySwapMax = patch.memorySwapMax === null ? null : bytesInRange('memorySwapMax', patch.memorySwapMax, 0n, MEMORY_MAX_BYTES);
  if (has('ioMax')) out.ioMax = ioMaxEntries(patch.ioMax);
  if (has('ioWeight')) out.ioWeight = patch.ioWeight === null ? null : intInRange('ioWeight', patch.ioWeight, WEIGHT_MIN, WEIGHT_MAX);
  if (has('pidsMax')) out.pidsMax = patch.pidsMax === null ? null : intInRange('pidsMax', patch.pidsMax, 1, PIDS_MAX_LIMIT);

  if (out.memoryHigh != null && out.memoryMax != null && out.memoryHigh > out.memoryMax) {
    throw invalid('memoryHigh', `${formatBytes(out.memoryHigh)} is above memoryMax ${formatBytes(out.memoryMax)}; it would never apply`);
  }
  return out;
}

/** cpuset.cpus/mems must stay within the parent's effective set (the kernel says only EINVAL). */
export function checkCpusetSubset(field: 'cpusetCpus' | 'cpusetMems', wanted: string, parentEffective: string, parentPath: string): void {
  const want = parseCpuList(wanted) ?? [];
  const have = parseCpuList(parentEffective) ?? [];
  const outside = cpuListOutside(want, have);
  if (outside.length > 0) {
    const what = field === 'cpusetCpus' ? 'CPUs' : 'memory nodes';
    throw invalid(
      field,
      `${wanted} is not within the parent's ${what} ${parentEffective || '(none)'} (${parentPath}); ${outside.join(',')} ${outside.length === 1 ? 'is' : 'are'} outside`,
      wanted,
    );
  }
}

/**
 * A memory max below what the cgroup already uses is refused up front on both kernels: v1
 * answers EBUSY after trying to reclaim, v2 reclaims and then OOM-kills. Neither is what an
 * admin typing a number into a form expects.
 */
export function checkMemoryMaxAboveUsage(max: bigint, currentBytes: bigint, cgroupPath: string): void {
  if (max < currentBytes) {
    throw invalid(
      'memoryMax',
      `${formatBytes(max)} is below the current memory usage of ${formatBytes(currentBytes)} of ${cgroupPath}; ` +
        'lower the usage first or choose a higher limit',
      max,
    );
  }
}

export function deviceMissing(device: string): CgdashError {
  return invalid('ioMax', `block device ${device} does not exist on this host (no /sys/dev/block/${device})`, device);
}
