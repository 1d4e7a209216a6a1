/**
 * One model of a cgroup for both kernels. The v1 and v2 readers/writers map their files onto
 * these types; nothing above `server/cgroup/` ever sees a kernel file name.
 *
 * Conventions: "no limit" is `null` (v2 `max`, v1 `-1` or the page-rounded 2^63-1 values);
 * 64-bit counters are `bigint`; units are in the field name where not obvious.
 */

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** One mounted cgroup hierarchy, read from /proc/self/mountinfo. */
export interface Hierarchy {
  /** Hierarchy id as in /proc/PID/cgroup (0 for the unified v2 hierarchy). */
  id: number;
  version: 1 | 2;
  mountPoint: string;
  /** Root of the mount inside the hierarchy ("/" unless a sub-tree is bind-mounted). */
  mountRoot: string;
  /** v1: the controllers bound to it (e.g. ["cpu","cpuacct"]), plus "name=systemd" style names.
   *  v2: the controllers in the root's cgroup.controllers. */
  controllers: string[];
  /** The server's own cgroup in this hierarchy, as in /proc/self/cgroup. */
  selfPath: string;
  /** Absolute cgroup path of the managed root in this hierarchy (selfPath + CGDASH_CGROUP_ROOT). */
  managedRoot: string;
}

export interface CpuLimits {
  /** cpu.max quota / cpu.cfs_quota_us; null = no limit. */
  maxQuotaUs: number | null;
  /** cpu.max period / cpu.cfs_period_us. */
  maxPeriodUs: number;
  /** cpu.weight 1..10000; v1 cpu.shares mapped with the systemd/runc formula. */
  weight: number | null;
}

export interface CpusetLimits {
  /** cpuset.cpus as the kernel writes a list, e.g. "0-3,6"; null = inherit/none set. */
  cpus: string | null;
  mems: string | null;
  /** cpuset.cpus.effective / mems.effective (read only). */
  effectiveCpus: string | null;
  effectiveMems: string | null;
}

export interface MemoryLimits {
  /** memory.max / memory.limit_in_bytes. */
  max: bigint | null;
  /** memory.high (v2). v1 has no equivalent: always null there, and writes are refused. */
  high: bigint | null;
  /** memory.low (v2) / memory.soft_limit_in_bytes (v1): the reservation. */
  low: bigint | null;
  /** Swap alone, as v2 memory.swap.max. v1 stores memory+swap in memsw.limit_in_bytes;
   *  it is converted here (memsw - max) so both kernels mean the same thing. */
  swapMax: bigint | null;
}

export interface IoMaxEntry {
  /** "MAJ:MIN" */
  device: string;
  rbps: bigint | null;
  wbps: bigint | null;
  riops: bigint | null;
  wiops: bigint | null;
}

export interface IoLimits {
  max: IoMaxEntry[];
  /** io.weight default (v2, 1..10000) / blkio.weight (v1, 10..1000, mapped). null where absent. */
  weight: number | null;
}

export interface Limits {
  cpu: CpuLimits | null;
  cpuset: CpusetLimits | null;
  memory: MemoryLimits | null;
  io: IoLimits | null;
  pids: { max: number | null } | null;
}

/**
 * A change of limits. A field left out is not touched; `null` means "no limit".
 * Validated (ranges, cpuset ⊆ parent, memory max ≥ current usage) before anything is written.
 */
export interface LimitsPatch {
  cpuMaxQuotaUs?: number | null;
  cpuMaxPeriodUs?: number;
  cpuWeight?: number | null;
  cpusetCpus?: string | null;
  cpusetMems?: string | null;
  memoryMax?: bigint | null;
  memoryHigh?: bigint | null;
  memoryLow?: bigint | null;
  memorySwapMax?: bigint | null;
  /** Replaces the entries for the devices named; an entry with all four null clears that device. */
  ioMax?: IoMaxEntry[];
  ioWeight?: number | null;
  pidsMax?: number | null;
}

export interface Psi {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUsec: bigint;
}

export interface PsiPair {
  some: Psi;
  /** Absent for cpu on older kernels, and for the root cgroup's cpu. */
  full: Psi | null;
}

export interface CpuUsage {
  usageUsec: bigint;
  userUsec: bigint | null;
  systemUsec: bigint | null;
  nrPeriods: bigint | null;
  nrThrottled: bigint | null;
  throttledUsec: bigint | null;
}

export interface MemoryUsage {
  current: bigint;
  /** memory.peak (v2 ≥ 5.19) / max_usage_in_bytes (v1). */
  peak: bigint | null;
  anon: bigint | null;
  file: bigint | null;
  kernel: bigint | null;
  swapCurrent: bigint | null;
  pgfault: bigint | null;
  pgmajfault: bigint | null;
  /** memory.events (v2) / oom_control oom_kill + failcnt as `max` (v1). */
  events: { low: bigint | null; high: bigint | null; max: bigint | null; oom: bigint | null; oomKill: bigint | null };
  /** v1 memory.oom_control under_oom: the cgroup is stuck at its limit right now. v2: null. */
  underOom: boolean | null;
}

export interface IoDeviceUsage {
  device: string;
  rbytes: bigint;
  wbytes: bigint;
  rios: bigint;
  wios: bigint;
}

export interface Usage {
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  io: IoDeviceUsage[] | null;
  pids: { current: number } | null;
  psi: { cpu: PsiPair | null; memory: PsiPair | null; io: PsiPair | null } | null;
}

/** Where a logical cgroup lives in one hierarchy. */
export interface CgroupPlacement {
  hierarchyId: number;
  version: 1 | 2;
  controllers: string[];
  /** Absolute cgroup path in that hierarchy, e.g. "/cgdash/containers/web". */
  path: string;
  /** Directory on disk, e.g. "/sys/fs/cgroup/cpu/cgdash/containers/web". */
  dir: string;
}

/** One node of the tree: a cgroup path merged across hierarchies. */
export interface CgroupNode {
  /** Absolute path as in /proc/PID/cgroup. */
  path: string;
  /** Set when the node is inside the managed subtree: the path relative to the managed root. */
  managedPath: string | null;
  /** Hierarchy ids this path exists in. */
  hierarchyIds: number[];
  /** Union of controllers of those hierarchies. */
  controllers: string[];
  /** Processes in this cgroup (not descendants); max over hierarchies. */
  processCount: number;
  childCount: number;
}

export interface CgroupDetail {
  /** The name the caller used, normalised: "/abs/path" or "relative/to/managed". */
  ref: string;
  placements: CgroupPlacement[];
  managedPath: string | null;
  limits: Limits;
  usage: Usage;
  pids: number[];
  /** v2 cgroup.events populated/frozen where present. */
  populated: boolean | null;
  frozen: boolean | null;
  /** Files of optional controllers that could not be read, with why; never fatal. */
  readErrors: { file: string; message: string }[];
}

/** Controllers a stats read may be limited to (the sampler asks only for what it needs). */
export type StatsMask = ReadonlySet<'cpu' | 'memory' | 'io' | 'pids' | 'psi'>;
