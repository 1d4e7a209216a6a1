import { z } from 'zod';
import type { LimitsPatch } from '../../cgroup/model';
import { parseSize } from '../../lib/units';

/**
 * A size as people write it: "256M", "1g", 268435456, or "max"/"-1"/null for no limit. Parsed
 * here at the API edge so a bad value is a field error of the form, not a kernel EINVAL.
 */
export const sizeInput = z
  .union([z.bigint(), z.number().int().nonnegative(), z.string().max(32), z.null()])
  .transform((v, ctx): bigint | null => {
    if (v === null) return null;
    if (typeof v === 'bigint') {
      if (v < 0n) ctx.addIssue({ code: 'custom', message: 'must not be negative' });
      return v;
    }
    if (typeof v === 'number') return BigInt(v);
    try {
      return parseSize(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^size: /, '') });
      return z.NEVER;
    }
  });

/** A kernel cpu/mem list: "0-3,6". Checked against the parent's set by the cgroup module. */
export const cpuListInput = z
  .string()
  .trim()
  .max(256)
  .regex(/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/, 'a list like 0-3,6');

const nullableInt = (min: number, max: number, what: string) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`).nullable();

export const ioMaxInput = z.object({
  device: z.string().regex(/^\d+:\d+$/, 'a device as MAJ:MIN, e.g. 8:0'),
  rbps: sizeInput,
  wbps: sizeInput,
  riops: sizeInput,
  wiops: sizeInput,
});

/** Limits as the form, the CLI and scripts send them. Absent = unchanged; null = no limit. */
export const limitsInput = z
  .object({
    /** Decimal CPUs ("--cpus 1.5"); becomes a quota over the period. */
    cpus: z.number().positive('must be above 0').max(4096).nullable().optional(),
    cpuPeriodUs: z.number().int().min(1000, 'at least 1000 µs').max(1_000_000, 'at most 1 s').optional(),
    cpuWeight: nullableInt(1, 10000, 'cpu weight').optional(),
    cpusetCpus: cpuListInput.nullable().optional(),
    cpusetMems: cpuListInput.nullable().optional(),
    memoryMax: sizeInput.optional(),
    memoryHigh: sizeInput.optional(),
    memoryLow: sizeInput.optional(),
    memorySwapMax: sizeInput.optional(),
    pidsMax: nullableInt(1, 4_194_304, 'pids limit').optional(),
    ioWeight: nullableInt(1, 10000, 'io weight').optional(),
    ioMax: z.array(ioMaxInput).max(64).optional(),
  })
  .strict();

export type LimitsInput = z.infer<typeof limitsInput>;

const defaultPeriodUs = 100_000;

export function toLimitsPatch(input: LimitsInput): LimitsPatch {
  const patch: LimitsPatch = {};
  if (input.cpus !== undefined) {
    const period = input.cpuPeriodUs ?? defaultPeriodUs;
    patch.cpuMaxQuotaUs = input.cpus === null ? null : Math.round(input.cpus * period);
    patch.cpuMaxPeriodUs = period;
  } else if (input.cpuPeriodUs !== undefined) {
    patch.cpuMaxPeriodUs = input.cpuPeriodUs;
  }
  const copy = ['cpuWeight', 'cpusetCpus', 'cpusetMems', 'memoryMax', 'memoryHigh', 'memoryLow', 'memorySwapMax', 'pidsMax', 'ioWeight', 'ioMax'] as const;
  for (const key of copy) {
    if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
  }
  return patch;
}
