/**
 * What a controller module (v1/*.ts, v2/*.ts) offers the manager. The manager never knows which
 * kernel a driver speaks to: `index.ts` binds each driver to the hierarchy that carries its
 * controller, and that is the only place that asks "v1 or v2?".
 */
import type { CgroupDir, HostRoots } from './fsio';
import type { WriteJournal } from './journal';
import type { CpuUsage, Hierarchy, IoDeviceUsage, Limits, LimitsPatch, MemoryUsage, PsiPair, StatsMask } from './model';

export type UsageArea = 'cpu' | 'memory' | 'io' | 'pids' | 'psi';

/** What one driver contributes to a Usage; the manager merges contributions field by field. */
export interface UsagePart {
  cpu?: Partial<CpuUsage>;
  memory?: MemoryUsage;
  io?: IoDeviceUsage[];
  pids?: { current: number };
  psi?: { cpu: PsiPair | null; memory: PsiPair | null; io: PsiPair | null };
}

export interface WriteContext {
  journal: WriteJournal;
  roots: HostRoots;
  /** The parent cgroup in the same hierarchy; null at the hierarchy root. */
  parent: CgroupDir | null;
}

export interface ControllerDriver {
  /** "v1 memory", "v2 io": used in messages. */
  name: string;
  /** The LimitsPatch keys this driver applies. A key that no bound driver takes is refused. */
  patchKeys: readonly (keyof LimitsPatch)[];
  usageAreas: readonly UsageArea[];
  /** Limits of this controller; `{}` when the controller is not enabled for the cgroup. */
  readLimits?(d: CgroupDir): Promise<Partial<Limits>>;
  readUsage?(d: CgroupDir, mask: StatsMask): Promise<UsagePart>;
  /** Checks against the kernel's current state (usage, the parent's cpuset). Never writes. */
  check?(d: CgroupDir, patch: LimitsPatch, ctx: WriteContext): Promise<void>;
  apply?(d: CgroupDir, patch: LimitsPatch, ctx: WriteContext): Promise<void>;
  /** Make a freshly created cgroup usable (v1 cpuset needs cpus and mems before a task joins). */
  initNew?(d: CgroupDir, ctx: WriteContext): Promise<void>;
}

export interface FreezerDriver {
  name: string;
  /** null when the cgroup has no freezer state here. */
  isFrozen(d: CgroupDir): Promise<boolean | null>;
  /** Freeze or thaw and wait until the kernel reports it settled. */
  setFrozen(d: CgroupDir, frozen: boolean): Promise<void>;
}

/** cgroup v2 core files (cgroup.events, cgroup.kill) of the unified hierarchy. */
export interface CoreDriver {
  populated(d: CgroupDir): Promise<boolean | null>;
  /** Kill every process in the subtree at once; false when this kernel has no cgroup.kill. */
  kill(d: CgroupDir): Promise<boolean>;
}

export interface Bound<T> {
  driver: T;
  hierarchy: Hierarchy;
}

export interface DriverSet {
  controllers: Bound<ControllerDriver>[];
  freezer: Bound<FreezerDriver> | null;
  core: Bound<CoreDriver> | null;
}

export const allUsageAreas: StatsMask = new Set<UsageArea>(['cpu', 'memory', 'io', 'pids', 'psi']);
