/**
 * A live change of limits as the two writes it takes: the resources JSON for `runc update`
 * (memory, cpu, pids; runc keeps its state.json in step) and the io.max entries for the cgroup
 * module (runc update does not take block I/O throttles).
 */
import type { LimitsPatch } from '@/server/cgroup/model';
import { cfsPeriodUs, resources } from './oci';
import type { OciResources } from './oci-types';
import type { ContainerSpec } from './spec';

/** cpu.shares when no weight is set: the kernel's default. */
const defaultShares = 1024;

export function liveUpdate(
  before: ContainerSpec,
  after: ContainerSpec,
  deviceNumbers: Record<string, { major: number; minor: number }>,
): { runcResources: OciResources; ioMax: NonNullable<LimitsPatch['ioMax']> } {
  const ctx = { cgroupsPath: '', hostname: '', namespacePaths: {}, cgroupVersion: 1 as const, deviceNumbers };
  const now = resources(after, ctx);
  const old = resources(before, ctx);
  // A removed limit is written as unlimited (-1) or the default weight: left out would mean unchanged.
  const runcResources: OciResources = {
    memory: { limit: now.memory?.limit ?? -1, swap: now.memory?.swap ?? -1 },
    cpu: { quota: now.cpu?.quota ?? -1, period: now.cpu?.period ?? cfsPeriodUs },
    pids: { limit: now.pids?.limit ?? -1 },
  };
  const reservation = now.memory?.reservation ?? (old.memory?.reservation !== undefined ? -1 : undefined);
  if (reservation !== undefined && runcResources.memory) runcResources.memory.reservation = reservation;
  const shares = now.cpu?.shares ?? (old.cpu?.shares !== undefined ? defaultShares : undefined);
  if (runcResources.cpu) {
    if (shares !== undefined) runcResources.cpu.shares = shares;
    if (now.cpu?.cpus) runcResources.cpu.cpus = now.cpu.cpus;
    if (now.cpu?.mems) runcResources.cpu.mems = now.cpu.mems;
  }
  return { runcResources, ioMax: ioMaxChanges(old.blockIO, now.blockIO) };
}

type BlockIO = OciResources['blockIO'];
type Entry = { rbps: bigint | null; wbps: bigint | null; riops: bigint | null; wiops: bigint | null };

function byDevice(b: BlockIO): Map<string, Entry> {
  const m = new Map<string, Entry>();
  const put = (list: { major: number; minor: number; rate: number }[] | undefined, key: keyof Entry) => {
    for (const d of list ?? []) {
      const dev = `${d.major}:${d.minor}`;
      const e = m.get(dev) ?? { rbps: null, wbps: null, riops: null, wiops: null };
      e[key] = BigInt(d.rate);
      m.set(dev, e);
    }
  };
  put(b?.throttleReadBpsDevice, 'rbps');
  put(b?.throttleWriteBpsDevice, 'wbps');
  put(b?.throttleReadIOPSDevice, 'riops');
  put(b?.throttleWriteIOPSDevice, 'wiops');
  return m;
}

const same = (a: Entry | undefined, b: Entry) =>
  !!a && a.rbps === b.rbps && a.wbps === b.wbps && a.riops === b.riops && a.wiops === b.wiops;

/** Changed devices with their new throttles; a device no longer throttled gets all-null (cleared). */
export function ioMaxChanges(before: BlockIO, after: BlockIO): NonNullable<LimitsPatch['ioMax']> {
  const old = byDevice(before);
  const now = byDevice(after);
  const out: NonNullable<LimitsPatch['ioMax']> = [];
  for (const dev of new Set([...old.keys(), ...now.keys()])) {
    const next = now.get(dev) ?? { rbps: null, wbps: null, riops: null, wiops: null };
    if (!same(old.get(dev), next)) out.push({ device: dev, ...next });
  }
  return out;
}
