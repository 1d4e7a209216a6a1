/**
 * cgroup v2 io controller: io.max (per-device bps/iops limits), io.weight (io.bfq.weight where
 * only BFQ offers weights), io.stat (per-device bytes and operations, hierarchical).
 */
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver } from '../driver';
import { blockDeviceExists, readOptional } from '../fsio';
import type { IoDeviceUsage, IoLimits, IoMaxEntry } from '../model';
import { parseLimit, parseNestedKeyed, parseUint, parseWeightFile } from '../parse';
import { deviceMissing } from '../validate';

export const DEFAULT_IO_WEIGHT = 100;
/** BFQ weights run 1..1000 (default 100), io.weight 1..10000 (default 100): same scale, lower cap. */
export const BFQ_WEIGHT_MAX = 1000;

export function parseIoMax(text: string): IoMaxEntry[] {
  return [...parseNestedKeyed(text, 'io.max')].map(([device, sub]) => {
    const value = (k: string) => {
      const v = sub.get(k);
      return v === undefined ? null : parseLimit(v, 'io.max');
    };
    return { device, rbps: value('rbps'), wbps: value('wbps'), riops: value('riops'), wiops: value('wiops') };
  });
}

export function formatIoMaxLine(e: IoMaxEntry): string {
  const v = (x: bigint | null) => (x === null ? 'max' : x.toString());
  return `${e.device} rbps=${v(e.rbps)} wbps=${v(e.wbps)} riops=${v(e.riops)} wiops=${v(e.wiops)}`;
}

export function parseIoStat(text: string): IoDeviceUsage[] {
  return [...parseNestedKeyed(text, 'io.stat')].map(([device, sub]) => {
    const n = (k: string) => {
      const v = sub.get(k);
      return v === undefined ? 0n : parseUint(v, 'io.stat');
    };
    return { device, rbytes: n('rbytes'), wbytes: n('wbytes'), rios: n('rios'), wios: n('wios') };
  });
}

export const v2IoDriver: ControllerDriver = {
  name: 'v2 io',
  patchKeys: ['ioMax', 'ioWeight'],
  usageAreas: ['io'],

  async readLimits(d) {
    const max = await readOptional(d, 'io.max');
    if (max === null) return {};
    const weight = await readOptional(d, 'io.weight');
    const bfq = weight === null ? await readOptional(d, 'io.bfq.weight') : null;
    const io: IoLimits = {
      max: parseIoMax(max),
      weight:
        weight !== null
          ? parseWeightFile(weight, 'io.weight').defaultWeight ?? DEFAULT_IO_WEIGHT
          : bfq !== null
            ? parseWeightFile(bfq, 'io.bfq.weight').defaultWeight ?? DEFAULT_IO_WEIGHT
            : null,
    };
    return { io };
  },

  async readUsage(d) {
    const stat = await readOptional(d, 'io.stat');
    return stat === null ? {} : { io: parseIoStat(stat) };
  },

  async check(d, patch, ctx) {
    for (const e of patch.ioMax ?? []) {
      if (!(await blockDeviceExists(ctx.roots, e.device))) throw deviceMissing(e.device);
    }
    if (patch.ioWeight !== undefined && (await readOptional(d, 'io.weight')) === null && (await readOptional(d, 'io.bfq.weight')) === null) {
      throw new CgdashError('unavailable', 'ioWeight: no io.weight or io.bfq.weight here (no I/O cost model or BFQ on this kernel)', { field: 'ioWeight' });
    }
  },

  async apply(d, patch, ctx) {
    if (patch.ioMax) {
      const before = parseIoMax((await readOptional(d, 'io.max')) ?? '');
      for (const e of patch.ioMax) {
        const old = before.find((b) => b.device === e.device) ?? { device: e.device, rbps: null, wbps: null, riops: null, wiops: null };
        // All four "max" removes the device's line: that is how an entry of nulls clears it.
        await ctx.journal.write(d, 'io.max', formatIoMaxLine(e), { field: 'ioMax', restore: [formatIoMaxLine(old)] });
      }
    }
    if (patch.ioWeight !== undefined) {
      const weight = patch.ioWeight ?? DEFAULT_IO_WEIGHT;
      if ((await readOptional(d, 'io.weight')) !== null) {
        await ctx.journal.write(d, 'io.weight', `default ${weight}`, { field: 'ioWeight' });
      } else {
        // Only BFQ offers weights here; its scale is io.weight's with a cap of 1000.
        const before = await readOptional(d, 'io.bfq.weight');
        const restore = before === null ? [] : [String(parseWeightFile(before, 'io.bfq.weight').defaultWeight ?? DEFAULT_IO_WEIGHT)];
        // A bare number is what every BFQ version accepts.
        await ctx.journal.write(d, 'io.bfq.weight', String(Math.min(weight, BFQ_WEIGHT_MAX)), { field: 'ioWeight', restore });
      }
    }
  },
};
