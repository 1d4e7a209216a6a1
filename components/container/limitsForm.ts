/**
 * The live limits editor: a container's spec limits as text, and the change `containers.update`
 * takes (only what was edited; an emptied field is `null`, which removes that limit).
 */
import { sizeForInput } from '@/components/cgroup/format';
import type { ContainerLimits } from '@/server/runtime/spec';
import type { LimitsUpdate } from '@/server/runtime';

export const deviceRateFields = ['deviceReadBps', 'deviceWriteBps', 'deviceReadIops', 'deviceWriteIops'] as const;
export type DeviceRateField = (typeof deviceRateFields)[number];

export interface LimitsValues {
  cpus: string;
  cpuWeight: string;
  cpusetCpus: string;
  cpusetMems: string;
  memory: string;
  memorySwap: string;
  memoryReservation: string;
  pidsLimit: string;
  /** `DEVICE:RATE` per row, as docker's --device-read-bps takes it. */
  deviceReadBps: string[];
  deviceWriteBps: string[];
  deviceReadIops: string[];
  deviceWriteIops: string[];
}

export type ScalarLimit = Exclude<keyof LimitsValues, DeviceRateField>;

const size = (n: number | undefined) => (n === undefined ? '' : sizeForInput(BigInt(n)));

export function limitsValuesOf(l: ContainerLimits): LimitsValues {
  return {
    cpus: l.cpus === undefined ? '' : String(l.cpus),
    cpuWeight: l.cpuWeight === undefined ? '' : String(l.cpuWeight),
    cpusetCpus: l.cpusetCpus ?? '',
    cpusetMems: l.cpusetMems ?? '',
    memory: size(l.memory),
    memorySwap: l.memorySwap === -1 ? '-1' : size(l.memorySwap),
    memoryReservation: size(l.memoryReservation),
    pidsLimit: l.pidsLimit === undefined ? '' : String(l.pidsLimit),
    deviceReadBps: l.deviceReadBps.map((d) => `${d.device}:${sizeForInput(BigInt(d.rate))}`),
    deviceWriteBps: l.deviceWriteBps.map((d) => `${d.device}:${sizeForInput(BigInt(d.rate))}`),
    deviceReadIops: l.deviceReadIops.map((d) => `${d.device}:${d.rate}`),
    deviceWriteIops: l.deviceWriteIops.map((d) => `${d.device}:${d.rate}`),
  };
}

const numeric = new Set<ScalarLimit>(['cpus', 'cpuWeight', 'pidsLimit']);

/**
 * What changed between two sets of values, as the update takes it, plus problems found before
 * sending (a number field that holds no number).
 */
export function limitsChange(before: LimitsValues, after: LimitsValues): { change: LimitsUpdate; errors: Record<string, string> } {
  const change: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const key of Object.keys(after) as (keyof LimitsValues)[]) {
    const a = after[key];
    const b = before[key];
    if (Array.isArray(a) && Array.isArray(b)) {
      const rows = a.map((r) => r.trim()).filter(Boolean);
      if (rows.join('\n') !== b.join('\n')) change[key] = rows;
      continue;
    }
    const v = String(a).trim();
    if (v === String(b).trim()) continue;
    if (v === '') change[key] = null;
    else if (numeric.has(key as ScalarLimit)) {
      const n = Number(v);
      if (!Number.isFinite(n)) errors[`limits.${key}`] = `"${v}" is not a number`;
      else change[key] = n;
    } else change[key] = v;
  }
  return { change: change as LimitsUpdate, errors };
}

/** `limits.deviceReadBps.1.rate` → `limits.deviceReadBps.1`; a key without `limits.` gets it. */
export function limitsErrorKey(serverKey: string): string {
  const key = serverKey.startsWith('limits.') ? serverKey : `limits.${serverKey}`;
  const m = /^limits\.(device(?:Read|Write)(?:Bps|Iops))\.(\d+)/.exec(key);
  return m ? `limits.${m[1]}.${m[2]}` : key;
}
