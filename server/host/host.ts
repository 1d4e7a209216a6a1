import os from 'node:os';
import si from 'systeminformation';
import type { CgroupMode } from '@/server/cgroup/model';
import { CgdashError } from '@/server/lib/errors';

/** The parts of systeminformation used here; tests hand in their own. */
export type SystemInformationApi = Pick<typeof si, 'cpu' | 'osInfo' | 'mem' | 'fsSize' | 'networkInterfaces' | 'time'>;

export interface HostCpu {
  manufacturer: string;
  brand: string;
  /** "AMD EPYC", "Intel Core i7-8650U" */
  model: string;
  /** Logical CPUs (what the scheduler and cpuset see). */
  cores: number;
  physicalCores: number;
  /** Nominal speed; null where the hypervisor does not tell. */
  speedGhz: number | null;
}

export interface HostOs {
  platform: string;
  distro: string;
  release: string;
  codename: string;
  kernel: string;
  arch: string;
  hostname: string;
}

export interface HostMemory {
  totalBytes: number;
  /** total − available, the figure free(1) and top call used: what cannot be reclaimed quickly. */
  usedBytes: number;
  /** MemAvailable: what can be given to new work without swapping. */
  availableBytes: number;
  freeBytes: number;
  buffCacheBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface HostLoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export interface HostDisk {
  /** Device or source, e.g. /dev/vda1. */
  fs: string;
  type: string;
  mount: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  usePercent: number | null;
  readOnly: boolean;
}

export interface HostNetworkInterface {
  name: string;
  ip4: string | null;
  ip4Subnet: string | null;
  ip6: string | null;
  mac: string | null;
  internal: boolean;
  virtual: boolean;
  operstate: string;
  type: string;
  mtu: number | null;
  speedMbps: number | null;
  isDefault: boolean;
}

/** What does not change while the host runs. */
export interface HostStatic {
  cpu: HostCpu;
  os: HostOs;
}

export interface HostFacts extends HostStatic {
  memory: HostMemory;
  loadAverage: HostLoadAverage;
  uptimeSec: number;
  disks: HostDisk[];
  network: HostNetworkInterface[];
  /** Filled in by the caller, who knows it from server/cgroup; null when not given. */
  cgroupMode: CgroupMode | null;
}

export interface HostInfoOptions {
  si?: SystemInformationApi;
  /** systeminformation runs df for disks and walks sysfs for interfaces: reuse a reading this long. */
  disksTtlMs?: number;
  networkTtlMs?: number;
  /** Monotonic clock in milliseconds; tests inject their own. */
  nowMs?: () => number;
  /** os.loadavg by default: systeminformation gives only the 1-minute figure. */
  loadAverage?: () => number[];
}

interface Cached<T> {
  atMs: number;
  value: Promise<T>;
}

const emptyToNull = (s: string | undefined | null): string | null => (s ? s : null);

function mapCpu(c: Awaited<ReturnType<SystemInformationApi['cpu']>>): HostCpu {
  const model = [c.manufacturer, c.brand].filter(Boolean).join(' ');
  return {
    manufacturer: c.manufacturer,
    brand: c.brand,
    model,
    cores: c.cores,
    physicalCores: c.physicalCores,
    speedGhz: c.speed > 0 ? c.speed : null,
  };
}

function mapOs(o: Awaited<ReturnType<SystemInformationApi['osInfo']>>): HostOs {
  return {
    platform: o.platform,
    distro: o.distro,
    release: o.release,
    codename: o.codename,
    kernel: o.kernel,
    arch: o.arch,
    hostname: o.hostname,
  };
}

function mapMemory(m: Awaited<ReturnType<SystemInformationApi['mem']>>): HostMemory {
  return {
    totalBytes: m.total,
    usedBytes: m.total - m.available,
    availableBytes: m.available,
    freeBytes: m.free,
    buffCacheBytes: m.buffcache,
    swapTotalBytes: m.swaptotal,
    swapUsedBytes: m.swapused,
  };
}

function mapDisks(disks: Awaited<ReturnType<SystemInformationApi['fsSize']>>): HostDisk[] {
  return disks.map((d) => ({
    fs: d.fs,
    type: d.type,
    mount: d.mount,
    sizeBytes: d.size,
    usedBytes: d.used,
    availableBytes: d.available,
    usePercent: Number.isFinite(d.use) ? d.use : null,
    readOnly: d.rw === false,
  }));
}

function mapNetwork(list: Awaited<ReturnType<SystemInformationApi['networkInterfaces']>>): HostNetworkInterface[] {
  const array = Array.isArray(list) ? list : [list];
  return array.map((n) => ({
    name: n.iface,
    ip4: emptyToNull(n.ip4),
    ip4Subnet: emptyToNull(n.ip4subnet),
    ip6: emptyToNull(n.ip6),
    mac: emptyToNull(n.mac),
    internal: n.internal,
    virtual: n.virtual,
    operstate: n.operstate,
    type: n.type,
    mtu: n.mtu ?? null,
    speedMbps: typeof n.speed === 'number' && n.speed > 0 ? n.speed : null,
    isDefault: n.default,
  }));
}

function failed(what: string, err: unknown): CgdashError {
  return new CgdashError('unavailable', `reading ${what} of the host failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}

/**
 * Host facts via systeminformation. CPU and OS are read once; disks and interfaces are
 * reused for a few seconds; memory, load and uptime are read on every call (cheap /proc reads).
 */
export class HostInfo {
  private readonly si: SystemInformationApi;
  private readonly nowMs: () => number;
  private readonly loadAverage: () => number[];
  private readonly disksTtlMs: number;
  private readonly networkTtlMs: number;
  private staticPart: Promise<HostStatic> | null = null;
  private disks: Cached<HostDisk[]> | null = null;
  private network: Cached<HostNetworkInterface[]> | null = null;

  constructor(options: HostInfoOptions = {}) {
    this.si = options.si ?? si;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.loadAverage = options.loadAverage ?? (() => os.loadavg());
    this.disksTtlMs = options.disksTtlMs ?? 10_000;
    this.networkTtlMs = options.networkTtlMs ?? 30_000;
  }

  staticFacts(): Promise<HostStatic> {
    if (!this.staticPart) {
      const reading = Promise.all([this.si.cpu(), this.si.osInfo()]).then(([cpu, o]) => ({ cpu: mapCpu(cpu), os: mapOs(o) }));
      // A failed reading is not kept: the next call tries again.
      this.staticPart = reading.catch((err: unknown) => {
        this.staticPart = null;
        throw failed('CPU and OS', err);
      });
    }
    return this.staticPart;
  }

  async facts(extra: { cgroupMode?: CgroupMode | null } = {}): Promise<HostFacts> {
    const [staticPart, memory, disks, network] = await Promise.all([
      this.staticFacts(),
      this.si.mem().then(mapMemory, (err: unknown) => {
        throw failed('memory', err);
      }),
      this.cachedDisks(),
      this.cachedNetwork(),
    ]);
    const [one = 0, five = 0, fifteen = 0] = this.loadAverage();
    return {
      ...staticPart,
      memory,
      loadAverage: { one, five, fifteen },
      uptimeSec: this.si.time().uptime,
      disks,
      network,
      cgroupMode: extra.cgroupMode ?? null,
    };
  }

  private cachedDisks(): Promise<HostDisk[]> {
    this.disks = this.refresh(this.disks, this.disksTtlMs, () => this.si.fsSize().then(mapDisks), 'disks', () => (this.disks = null));
    return this.disks.value;
  }

  private cachedNetwork(): Promise<HostNetworkInterface[]> {
    this.network = this.refresh(
      this.network,
      this.networkTtlMs,
      () => this.si.networkInterfaces().then(mapNetwork),
      'network interfaces',
      () => (this.network = null),
    );
    return this.network.value;
  }

  private refresh<T>(cached: Cached<T> | null, ttlMs: number, read: () => Promise<T>, what: string, forget: () => void): Cached<T> {
    const now = this.nowMs();
    if (cached && now - cached.atMs < ttlMs) return cached;
    const value = read().catch((err: unknown) => {
      forget();
      throw failed(what, err);
    });
    return { atMs: now, value };
  }
}
