/**
 * cgroup v1 blkio controller, mapped onto the v2 io model:
 *   blkio.throttle.{read,write}_{bps,iops}_device ↔ io.max (one file per field, "MAJ:MIN N",
 *     N = 0 removes the device's limit)
 *   blkio.weight (CFQ, 10..1000, default 500) or blkio.bfq.weight (BFQ, 1..1000, default 100)
 *     ↔ io.weight (1..10000, default 100)
 *   blkio.throttle.io_service_bytes/io_serviced ("8:0 Read 123") ↔ io.stat rbytes/wbytes/rios/wios
 */
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver } from '../driver';
import { blockDeviceExists, readOptional, type CgroupDir } from '../fsio';
import type { IoDeviceUsage, IoLimits, IoMaxEntry } from '../model';
import { parseBlkioStat, parseDeviceValues, parseWeightFile, type BlkioStatFile } from '../parse';
import { deviceMissing } from '../validate';

const throttleFiles = [
  { key: 'rbps', file: 'blkio.throttle.read_bps_device' },
  { key: 'wbps', file: 'blkio.throttle.write_bps_device' },
  { key: 'riops', file: 'blkio.throttle.read_iops_device' },
  { key: 'wiops', file: 'blkio.throttle.write_iops_device' },
] as const;

export const CFQ_WEIGHT_MIN = 10;
export const CFQ_WEIGHT_MAX = 1000;
export const BFQ_WEIGHT_MAX = 1000;

/**
 * io.weight → blkio.weight the way systemd maps IOWeight= on v1 hosts: scaled so the defaults
 * meet (100 ↔ 500) and clamped to 10..1000. io weights above 200 all become 1000: CFQ cannot
 * express more. (runc maps linearly 10..1000 ↔ 1..10000, which turns the v1 default 500 into
 * 4950; meeting defaults keeps "untouched" meaning the same on both kernels.)
 */
export function ioWeightToCfq(ioWeight: number): number {
  return Math.min(Math.max(ioWeight * 5, CFQ_WEIGHT_MIN), CFQ_WEIGHT_MAX);
}

export function cfqToIoWeight(blkioWeight: number): number {
  return Math.max(1, Math.round(blkioWeight / 5));
}

/** BFQ uses io.weight's own scale (default 100) with a cap of 1000: no conversion but the cap. */
export function ioWeightToBfq(ioWeight: number): number {
  return Math.min(ioWeight, BFQ_WEIGHT_MAX);
}

export function throttleEntries(files: Record<(typeof throttleFiles)[number]['key'], Map<string, bigint>>): IoMaxEntry[] {
  const devices = new Set<string>();
  for (const m of Object.values(files)) for (const dev of m.keys()) devices.add(dev);
  return [...devices].sort().map((device) => ({
    device,
    rbps: files.rbps.get(device) ?? null,
    wbps: files.wbps.get(device) ?? null,
    riops: files.riops.get(device) ?? null,
    wiops: files.wiops.get(device) ?? null,
  }));
}

/** io_service_bytes gives bytes, io_serviced operations; both per device and direction. */
export function blkioUsage(bytes: BlkioStatFile, ios: BlkioStatFile | null): IoDeviceUsage[] {
  const devices = new Set([...bytes.devices.keys(), ...(ios?.devices.keys() ?? [])]);
  return [...devices].sort().map((device) => ({
    device,
    rbytes: bytes.devices.get(device)?.get('Read') ?? 0n,
    wbytes: bytes.devices.get(device)?.get('Write') ?? 0n,
    rios: ios?.devices.get(device)?.get('Read') ?? 0n,
    wios: ios?.devices.get(device)?.get('Write') ?? 0n,
  }));
}

/** The weight file this kernel offers: CFQ's blkio.weight, else BFQ's, else none. */
async function weightFile(d: CgroupDir): Promise<{ file: 'blkio.weight' | 'blkio.bfq.weight'; text: string } | null> {
  const cfq = await readOptional(d, 'blkio.weight');
  if (cfq !== null) return { file: 'blkio.weight', text: cfq };
  const bfq = await readOptional(d, 'blkio.bfq.weight');
  return bfq === null ? null : { file: 'blkio.bfq.weight', text: bfq };
}

function noWeights(): CgdashError {
  return new CgdashError('unavailable', 'ioWeight: no I/O scheduler with weights on this host (neither blkio.weight nor blkio.bfq.weight)', {
    field: 'ioWeight',
  });
}

/** Prefer the _recursive stat files: v2's io.stat includes descendants, so v1 should too. */
async function readStat(d: CgroupDir, base: string): Promise<BlkioStatFile | null> {
  for (const file of [`${base}_recursive`, base]) {
    const text = await readOptional(d, file);
    if (text !== null) return parseBlkioStat(text, file);
  }
  return null;
}

export const v1BlkioDriver: ControllerDriver = {
  name: 'v1 blkio',
  patchKeys: ['ioMax', 'ioWeight'],
  usageAreas: ['io'],

  async readLimits(d) {
    const parsed = {} as Record<(typeof throttleFiles)[number]['key'], Map<string, bigint>>;
    for (const t of throttleFiles) {
      const text = await readOptional(d, t.file);
      if (text === null) return {}; // kernel without CONFIG_BLK_DEV_THROTTLING
      parsed[t.key] = parseDeviceValues(text, t.file);
    }
    const w = await weightFile(d);
    const raw = w === null ? null : parseWeightFile(w.text, w.file).defaultWeight;
    const weight = raw === null ? null : w?.file === 'blkio.weight' ? cfqToIoWeight(raw) : raw;
    const io: IoLimits = { max: throttleEntries(parsed), weight };
    return { io };
  },

  async readUsage(d) {
    const bytes = await readStat(d, 'blkio.throttle.io_service_bytes');
    if (bytes === null) return {};
    return { io: blkioUsage(bytes, await readStat(d, 'blkio.throttle.io_serviced')) };
  },

  async check(d, patch, ctx) {
    for (const e of patch.ioMax ?? []) {
      if (!(await blockDeviceExists(ctx.roots, e.device))) throw deviceMissing(e.device);
    }
    if (patch.ioWeight !== undefined && !(await weightFile(d))) throw noWeights();
  },

  async apply(d, patch, ctx) {
    for (const t of throttleFiles) {
      if (!patch.ioMax) break;
      const before = parseDeviceValues((await readOptional(d, t.file)) ?? '', t.file);
      for (const e of patch.ioMax) {
        const value = e[t.key];
        await ctx.journal.write(d, t.file, `${e.device} ${value ?? 0n}`, {
          field: 'ioMax',
          restore: [`${e.device} ${before.get(e.device) ?? 0n}`],
        });
      }
    }
    if (patch.ioWeight !== undefined) {
      const w = await weightFile(d);
      if (!w) throw noWeights();
      const io = patch.ioWeight ?? 100;
      const value = w.file === 'blkio.weight' ? ioWeightToCfq(io) : ioWeightToBfq(io);
      await ctx.journal.write(d, w.file, String(value), { field: 'ioWeight' });
    }
  },
};
