/**
 * The cgroup manager: one logical cgroup spread over every mounted hierarchy, read and written
 * through drivers that `index.ts` bound to the hierarchies. Nothing in here knows whether a
 * driver speaks v1 or v2.
 */
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { allUsageAreas, type Bound, type ControllerDriver, type CoreDriver, type FreezerDriver, type UsageArea, type UsagePart, type WriteContext } from './driver';
import { childNames, makeChildDir, openCgroupDir, openChildDir, readProcFile, removeCgroupDir, type CgroupDir, type HostRoots } from './fsio';
import { WriteJournal } from './journal';
import type { CgroupDetail, CgroupMode, CgroupNode, CgroupPlacement, CpuUsage, Hierarchy, Limits, LimitsPatch, StatsMask, Usage } from './model';
import { parseProcCgroup, type ProcCgroupEntry } from './mounts';
import { pause, readCgroupProcs, writeCgroupProcs } from './procs';
import { assertWritable, managedPathIn, parseRef, placementsOf, type ParsedRef } from './refs';
import { applyTree, planTree, readChain, undoTree, type TreeContext, type TreeStep } from './tree';
import { validatePatch } from './validate';

/** How one hierarchy creates cgroups: what it hands down with subtree_control (v2), and how. */
export interface HierarchyBinding {
  hierarchy: Hierarchy;
  /** Controllers to enable for children on the way down (v2); [] on v1. */
  delegate: string[];
  readDelegation: ((d: CgroupDir) => Promise<{ controllers: string[]; subtreeControl: string[] }>) | null;
  writeSubtreeControl: (d: CgroupDir, enable: readonly string[], disable?: readonly string[]) => Promise<void>;
}

export interface ManagerConfig {
  mode: CgroupMode;
  hierarchies: Hierarchy[];
  managedRootName: string;
  roots: HostRoots;
  serverPid: number;
  bindings: HierarchyBinding[];
  /** In order of precedence: the first driver that reports a value for a field wins. */
  controllers: Bound<ControllerDriver>[];
  freezer: Bound<FreezerDriver> | null;
  core: Bound<CoreDriver> | null;
}

export interface WriteOptions {
  /** The caller (an admin who confirmed it) may change a cgroup outside the managed root. */
  allowUnmanaged?: boolean;
}

export interface CreateOptions extends WriteOptions {
  /** Limits to set right after creation; if they fail, the cgroup is removed again. */
  limits?: LimitsPatch;
}

export interface RemoveOptions extends WriteOptions {
  /** Kill the processes inside (and below) first. Without it, a populated cgroup is 'busy'. */
  kill?: boolean;
}

export interface ReadError {
  file: string;
  message: string;
}

export interface ProcCgroup extends ProcCgroupEntry {
  /** Path relative to the managed root of that hierarchy, or null outside it. */
  managedPath: string | null;
}

/** One step ensureManagedRoot took, with its hierarchy. */
export interface DelegationStep {
  hierarchyId: number;
  step: TreeStep;
}

const limitAreaOf: Record<keyof LimitsPatch, keyof Limits> = {
  cpuMaxQuotaUs: 'cpu',
  cpuMaxPeriodUs: 'cpu',
  cpuWeight: 'cpu',
  cpusetCpus: 'cpuset',
  cpusetMems: 'cpuset',
  memoryMax: 'memory',
  memoryHigh: 'memory',
  memoryLow: 'memory',
  memorySwapMax: 'memory',
  ioMax: 'io',
  ioWeight: 'io',
  pidsMax: 'pids',
};

/** About 10 s of 10 ms polls for killed processes to leave a cgroup. */
const KILL_POLLS = 1000;

function emptyLimits(): Limits {
  return { cpu: null, cpuset: null, memory: null, io: null, pids: null };
}

function readErrorOf(err: unknown, driver: string): ReadError {
  const file = err instanceof CgdashError ? err.details.file : (err as { file?: string } | null)?.file;
  return { file: file ?? driver, message: err instanceof Error ? err.message : String(err) };
}

/** Merge usage contributions: per field, the first driver (highest precedence) that has it wins. */
export function mergeUsage(parts: readonly UsagePart[]): Usage {
  const cpu: Partial<CpuUsage> = {};
  const usage: Usage = { cpu: null, memory: null, io: null, pids: null, psi: null };
  for (const part of parts) {
    for (const [k, v] of Object.entries(part.cpu ?? {}) as [keyof CpuUsage, bigint | null][]) {
      if (cpu[k] === undefined && v !== undefined) cpu[k] = v as never;
    }
    usage.memory ??= part.memory ?? null;
    usage.io ??= part.io ?? null;
    usage.pids ??= part.pids ?? null;
    usage.psi ??= part.psi ?? null;
  }
  if (cpu.usageUsec !== undefined && cpu.usageUsec !== null) {
    usage.cpu = {
      usageUsec: cpu.usageUsec,
      userUsec: cpu.userUsec ?? null,
      systemUsec: cpu.systemUsec ?? null,
      nrPeriods: cpu.nrPeriods ?? null,
      nrThrottled: cpu.nrThrottled ?? null,
      throttledUsec: cpu.throttledUsec ?? null,
    };
  }
  return usage;
}

interface Plan {
  b: HierarchyBinding;
  target: string;
  /** The target existed before (in this hierarchy). */
  existed: boolean;
  steps: TreeStep[];
}

interface Opened {
  ref: ParsedRef;
  placements: CgroupPlacement[];
  /** Existing directories by hierarchy id. */
  dirs: Map<number, CgroupDir>;
}

/** One cgroup path while the tree is walked, merged over the hierarchies it is in. */
interface TreeAcc {
  hierarchyIds: Set<number>;
  controllers: Set<string>;
  processCount: number;
  children: Set<string>;
  managedPath: string | null;
}

export class CgroupManager {
  readonly mode: CgroupMode;
  readonly hierarchies: readonly Hierarchy[];
  /** CGDASH_CGROUP_ROOT as configured ("cgdash", or an absolute path). */
  readonly managedRootName: string;
  private readonly config: ManagerConfig;
  /** Where the server runs now, per hierarchy (it may move itself into a leaf). */
  private readonly serverCgroup = new Map<number, string>();
  /** Hierarchies whose drivers read limits (readLimits opens the cgroup there only). */
  private readonly limitHierarchies: ReadonlySet<number>;
  private delegationSteps: DelegationStep[] = [];

  constructor(config: ManagerConfig) {
    this.config = config;
    this.mode = config.mode;
    this.hierarchies = config.hierarchies;
    this.managedRootName = config.managedRootName;
    for (const h of config.hierarchies) this.serverCgroup.set(h.id, h.selfPath);
    this.limitHierarchies = new Set(config.controllers.filter((c) => c.driver.readLimits).map((c) => c.hierarchy.id));
  }

  // ---- names ------------------------------------------------------------------------------

  /** Where a ref lives in every hierarchy. No file system access. */
  resolve(ref: string): CgroupPlacement[] {
    return placementsOf(this.hierarchies, parseRef(ref));
  }

  private hierarchy(id: number): Hierarchy {
    const h = this.hierarchies.find((x) => x.id === id);
    if (!h) throw new CgdashError('internal', `no hierarchy ${id}`);
    return h;
  }

  /** `only`: open the cgroup in these hierarchies alone (the rest stay out of `dirs`). */
  private async open(ref: string, mustExist = true, only?: ReadonlySet<number>): Promise<Opened> {
    const parsed = parseRef(ref);
    const placements = placementsOf(this.hierarchies, parsed);
    const dirs = new Map<number, CgroupDir>();
    for (const p of placements) {
      if (only && !only.has(p.hierarchyId)) continue;
      const d = await openCgroupDir(this.hierarchy(p.hierarchyId), p.path);
      if (d) dirs.set(p.hierarchyId, d);
    }
    if (mustExist && dirs.size === 0) {
      throw new CgdashError('not_found', `no cgroup ${parsed.text || '(managed root)'} in any hierarchy`, { value: parsed.text });
    }
    return { ref: parsed, placements, dirs };
  }

  private managedPathOf(placements: readonly CgroupPlacement[]): string | null {
    for (const p of placements) {
      const m = managedPathIn(this.hierarchy(p.hierarchyId), p.path);
      if (m !== null) return m;
    }
    return null;
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Every cgroup of every hierarchy, merged by absolute path, sorted by path. */
  async list(): Promise<CgroupNode[]> {
    const nodes = await this.walkTree(true);
    return [...nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([p, acc]) => ({
        path: p,
        managedPath: acc.managedPath,
        hierarchyIds: [...acc.hierarchyIds].sort((a, b) => a - b),
        controllers: [...acc.controllers].sort(),
        processCount: acc.processCount,
        childCount: acc.children.size,
      }));
  }

  /** Every cgroup path and the hierarchies it is in: `list` without reading any cgroup.procs. */
  async listPaths(): Promise<{ path: string; hierarchyIds: number[] }[]> {
    const nodes = await this.walkTree(false);
    return [...nodes.entries()].map(([p, acc]) => ({ path: p, hierarchyIds: [...acc.hierarchyIds].sort((a, b) => a - b) }));
  }

  private async walkTree(countProcesses: boolean): Promise<Map<string, TreeAcc>> {
    const nodes = new Map<string, TreeAcc>();
    const visit = async (h: Hierarchy, d: CgroupDir): Promise<void> => {
      const names = await childNames(d);
      const procs = countProcesses ? (await readCgroupProcs(d)).length : 0; // [] when it vanished under us
      let acc = nodes.get(d.path);
      if (!acc) {
        acc = { hierarchyIds: new Set(), controllers: new Set(), processCount: 0, children: new Set(), managedPath: null };
        nodes.set(d.path, acc);
      }
      acc.hierarchyIds.add(h.id);
      for (const c of h.controllers) acc.controllers.add(c);
      acc.processCount = Math.max(acc.processCount, procs);
      for (const n of names) acc.children.add(n);
      acc.managedPath ??= managedPathIn(h, d.path);
      for (const name of names) {
        const child = await openChildDir(d, name);
        if (child) await visit(h, child); // null: it vanished mid-walk
      }
    };
    for (const h of this.hierarchies) {
      const top = await openCgroupDir(h, h.mountRoot);
      if (top) await visit(h, top);
    }
    return nodes;
  }

  private async readLimitsOf(dirs: Map<number, CgroupDir>, errors: ReadError[]): Promise<Limits> {
    const limits = emptyLimits();
    for (const { driver, hierarchy } of this.config.controllers) {
      const d = dirs.get(hierarchy.id);
      if (!d || !driver.readLimits) continue;
      try {
        const part = await driver.readLimits(d);
        for (const [k, v] of Object.entries(part) as [keyof Limits, Limits[keyof Limits]][]) {
          if (limits[k] === null && v) (limits as Record<keyof Limits, unknown>)[k] = v;
        }
      } catch (err) {
        errors.push(readErrorOf(err, driver.name));
      }
    }
    return limits;
  }

  private async readUsageOf(dirs: Map<number, CgroupDir>, mask: StatsMask, errors: ReadError[]): Promise<Usage> {
    const parts: UsagePart[] = [];
    for (const { driver, hierarchy } of this.config.controllers) {
      const d = dirs.get(hierarchy.id);
      if (!d || !driver.readUsage || !driver.usageAreas.some((a) => mask.has(a))) continue;
      try {
        const part = await driver.readUsage(d, mask);
        for (const area of Object.keys(part) as UsageArea[]) if (!mask.has(area)) delete part[area];
        parts.push(part);
      } catch (err) {
        errors.push(readErrorOf(err, driver.name));
      }
    }
    return mergeUsage(parts);
  }

  private async pidsIn(dirs: Iterable<CgroupDir>): Promise<number[]> {
    const pids = new Set<number>();
    for (const d of dirs) for (const p of await readCgroupProcs(d)) pids.add(p);
    return [...pids].sort((a, b) => a - b);
  }

  async get(ref: string): Promise<CgroupDetail> {
    const { ref: parsed, placements, dirs } = await this.open(ref);
    const readErrors: ReadError[] = [];
    const limits = await this.readLimitsOf(dirs, readErrors);
    const usage = await this.readUsageOf(dirs, allUsageAreas, readErrors);
    const existing = placements.filter((p) => dirs.has(p.hierarchyId));
    const optional = async <T>(fn: () => Promise<T>, what: string): Promise<T | null> => {
      try {
        return await fn();
      } catch (err) {
        readErrors.push(readErrorOf(err, what));
        return null;
      }
    };
    const { core, freezer } = this.config;
    const coreDir = core ? dirs.get(core.hierarchy.id) : undefined;
    const freezerDir = freezer ? dirs.get(freezer.hierarchy.id) : undefined;
    return {
      ref: parsed.text,
      placements: existing,
      managedPath: this.managedPathOf(existing),
      limits,
      usage,
      pids: await this.pidsIn(dirs.values()),
      populated: core && coreDir ? await optional(() => core.driver.populated(coreDir), 'cgroup.events') : null,
      frozen: freezer && freezerDir ? await optional(() => freezer.driver.isFrozen(freezerDir), freezer.driver.name) : null,
      readErrors,
    };
  }

  /** Usage only, limited to the areas in `mask` (the sampler asks only for what it charts). */
  async readUsage(ref: string, mask: StatsMask = allUsageAreas): Promise<{ usage: Usage; errors: ReadError[] }> {
    const { dirs } = await this.open(ref);
    const errors: ReadError[] = [];
    const usage = await this.readUsageOf(dirs, mask, errors);
    return { usage, errors };
  }

  /** Limits only: a fraction of `get`'s reads (no usage, no processes), for callers that keep limits fresh in the background. */
  async readLimits(ref: string): Promise<{ limits: Limits; errors: ReadError[] }> {
    // Only the hierarchies with limits to read (on v1 hosts, 5 or 6 of 10 or more); a cgroup
    // absent from all of them is opened everywhere, to tell "no limits here" from "no cgroup".
    let { dirs } = await this.open(ref, false, this.limitHierarchies);
    if (dirs.size === 0) ({ dirs } = await this.open(ref));
    const errors: ReadError[] = [];
    const limits = await this.readLimitsOf(dirs, errors);
    return { limits, errors };
  }

  /** Processes in the cgroup itself (not its descendants), over all hierarchies. */
  async pidsOf(ref: string): Promise<number[]> {
    return this.pidsIn((await this.open(ref)).dirs.values());
  }

  /** /proc/PID/cgroup, with each line's place relative to the managed root. */
  async cgroupsOfPid(pid: number): Promise<ProcCgroup[]> {
    const text = await readProcFile(this.config.roots, pid, 'cgroup');
    if (text === null) throw new CgdashError('not_found', `no process ${pid}`, { field: 'pid', value: String(pid) });
    return parseProcCgroup(text).map((e) => {
      const h = this.hierarchies.find((x) => x.id === e.hierarchyId);
      return { ...e, managedPath: h ? managedPathIn(h, e.path) : null };
    });
  }

  // ---- the managed root -------------------------------------------------------------------

  private treeContext(b: HierarchyBinding): TreeContext {
    return {
      hierarchy: b.hierarchy,
      roots: this.config.roots,
      drivers: this.config.controllers.filter((c) => c.hierarchy.id === b.hierarchy.id).map((c) => c.driver),
      writeSubtreeControl: b.writeSubtreeControl,
    };
  }

  private async deepestExisting(h: Hierarchy, target: string): Promise<string> {
    let p = target;
    while (p !== '/' && p !== h.mountRoot && !(await openCgroupDir(h, p))) p = path.posix.dirname(p);
    return p;
  }

  /**
   * The cgroup the managed root hangs from: the server's cgroup for a relative name (its parent
   * when the server sits in its leaf), the managed root's parent for an absolute one.
   */
  private delegationBoundary(h: Hierarchy): string {
    const name = parseRef(this.managedRootName);
    const up = name.kind === 'relative' ? name.segments.length : 1;
    let p = h.managedRoot;
    for (let i = 0; i < up; i++) p = path.posix.dirname(p);
    return p;
  }

  /**
   * Plan for every hierarchy first, so that a refusal in one leaves all of them untouched.
   * `managedRoot`: the target is the managed root, whose children get the controllers too, and
   * the server may move itself out of the way.
   */
  private async planAll(targets: { b: HierarchyBinding; target: string }[], managedRoot: boolean): Promise<Plan[]> {
    const plans: Plan[] = [];
    for (const { b, target } of targets) {
      const h = b.hierarchy;
      const top = await this.deepestExisting(h, target);
      // The managed root's ancestors are checked from the hierarchy's root down, so controllers
      // missing anywhere on the way are found even when the managed root already exists.
      const chainTop = managedRoot ? h.mountRoot : top;
      const chain = await readChain(h, chainTop, target, b.delegate.length > 0 ? b.readDelegation : null, managedRoot);
      const serverCgroup = this.serverCgroup.get(h.id) ?? h.selfPath;
      const rel = path.posix.relative(serverCgroup, target);
      const below = rel !== '' && !rel.startsWith('..') && !path.posix.isAbsolute(rel);
      const leafPath = below ? path.posix.join(serverCgroup, `${rel.split('/')[0]}-server`) : '';
      const steps = planTree(chain, {
        wanted: b.delegate,
        boundary: managedRoot ? this.delegationBoundary(h) : top,
        server: managedRoot && below ? { pid: this.config.serverPid, cgroup: serverCgroup, leafPath } : undefined,
      });
      plans.push({ b, target, existed: top === target, steps });
    }
    return plans;
  }

  private async applyAll(plans: Plan[]): Promise<DelegationStep[]> {
    const done: { b: HierarchyBinding; steps: TreeStep[] }[] = [];
    try {
      for (const { b, steps } of plans) {
        const applied = await applyTree(steps, this.treeContext(b));
        done.push({ b, steps: applied });
        for (const s of applied) if (s.kind === 'move-server') this.serverCgroup.set(b.hierarchy.id, s.to);
      }
    } catch (err) {
      for (const { b, steps } of done.reverse()) {
        await undoTree(steps, this.treeContext(b));
        for (const s of steps) if (s.kind === 'move-server') this.serverCgroup.set(b.hierarchy.id, s.from);
      }
      throw err;
    }
    return done.flatMap(({ b, steps }) => steps.map((step) => ({ hierarchyId: b.hierarchy.id, step })));
  }

  /**
   * Make the managed root exist in every hierarchy, with the controllers handed down to it on
   * v2 (moving the server into a leaf if its own cgroup must hand them down). Idempotent.
   */
  async ensureManagedRoot(): Promise<DelegationStep[]> {
    const applied = await this.applyAll(await this.planManagedRootPerHierarchy());
    this.delegationSteps.push(...applied);
    // A managed root made by someone else (an installer, a test) may lack what a new cgroup
    // gets from initNew (v1 cpuset lists): give it that too, or nothing below could hold a task.
    for (const b of this.config.bindings) {
      const h = b.hierarchy;
      const d = await openCgroupDir(h, h.managedRoot);
      const parent = await openCgroupDir(h, path.posix.dirname(h.managedRoot));
      if (!d || !parent) continue;
      for (const driver of this.treeContext(b).drivers) {
        await driver.initNew?.(d, { journal: new WriteJournal(), roots: this.config.roots, parent });
      }
    }
    return applied;
  }

  /** What ensureManagedRoot would do, without doing it; throws where it would refuse. */
  async planManagedRoot(): Promise<DelegationStep[]> {
    const plans = await this.planManagedRootPerHierarchy();
    return plans.flatMap((p) => p.steps.map((step) => ({ hierarchyId: p.b.hierarchy.id, step })));
  }

  private planManagedRootPerHierarchy(): Promise<Plan[]> {
    return this.planAll(
      this.config.bindings.map((b) => ({ b, target: b.hierarchy.managedRoot })),
      true,
    );
  }

  /**
   * Undo what ensureManagedRoot did in this process (controllers enabled, the server's move,
   * directories made), newest first. For tests and shutdown; remove the managed tree first.
   */
  async releaseManagedRoot(): Promise<string[]> {
    const failures: string[] = [];
    for (const { hierarchyId, step } of [...this.delegationSteps].reverse()) {
      const b = this.config.bindings.find((x) => x.hierarchy.id === hierarchyId);
      if (!b) continue;
      failures.push(...(await undoTree([step], this.treeContext(b))));
      if (step.kind === 'move-server') this.serverCgroup.set(hierarchyId, step.from);
    }
    this.delegationSteps = [];
    return failures;
  }

  // ---- writing ------------------------------------------------------------------------------

  private touchesManaged(placements: readonly CgroupPlacement[]): boolean {
    return placements.some((p) => managedPathIn(this.hierarchy(p.hierarchyId), p.path) !== null);
  }

  async create(ref: string, opts: CreateOptions = {}): Promise<CgroupPlacement[]> {
    const parsed = parseRef(ref);
    const placements = placementsOf(this.hierarchies, parsed);
    assertWritable(this.hierarchies, placements, parsed, opts.allowUnmanaged, 'create');
    if (placements.some((p) => p.path === '/')) throw new CgdashError('invalid', 'the root cgroup always exists');
    const limits = opts.limits ? validatePatch(opts.limits) : undefined;
    if (this.touchesManaged(placements)) await this.ensureManagedRoot();

    const targets = this.config.bindings
      .map((b) => ({ b, target: placements.find((p) => p.hierarchyId === b.hierarchy.id)?.path }))
      .filter((t): t is { b: HierarchyBinding; target: string } => t.target !== undefined);
    const plans = await this.planAll(targets, false);
    if (plans.every((p) => p.existed)) {
      throw new CgdashError('conflict', `cgroup ${parsed.text} already exists`, { value: parsed.text });
    }
    const applied = await this.applyAll(plans);
    if (limits && Object.keys(limits).length > 0) {
      try {
        await this.setLimits(parsed.text, limits, { allowUnmanaged: opts.allowUnmanaged });
      } catch (err) {
        const byId = new Map<number, TreeStep[]>();
        for (const a of applied) byId.set(a.hierarchyId, [...(byId.get(a.hierarchyId) ?? []), a.step]);
        for (const b of this.config.bindings) {
          const steps = byId.get(b.hierarchy.id);
          if (steps) await undoTree(steps, this.treeContext(b));
        }
        throw err;
      }
    }
    return placements;
  }

  /** Every directory of the subtree below `d`, deepest first, `d` last. */
  private async subtree(d: CgroupDir): Promise<CgroupDir[]> {
    const out: CgroupDir[] = [];
    for (const name of await childNames(d)) {
      const child = await openChildDir(d, name);
      if (child) out.push(...(await this.subtree(child)));
    }
    out.push(d);
    return out;
  }

  async remove(ref: string, opts: RemoveOptions = {}): Promise<void> {
    const { ref: parsed, placements, dirs } = await this.open(ref);
    assertWritable(this.hierarchies, placements.filter((p) => dirs.has(p.hierarchyId)), parsed, opts.allowUnmanaged, 'remove');
    if ([...dirs.values()].some((d) => d.path === '/' || d.path === d.hierarchy.mountRoot)) {
      throw new CgdashError('invalid', 'refusing to remove the root of a hierarchy');
    }
    const trees = new Map<number, CgroupDir[]>();
    for (const [id, d] of dirs) trees.set(id, await this.subtree(d));
    const allDirs = () => [...trees.values()].flat();

    let pids = await this.pidsIn(allDirs());
    if (pids.length > 0 && !opts.kill) {
      throw new CgdashError(
        'busy',
        `cgroup ${parsed.text || '(managed root)'} still has ${pids.length} process${pids.length === 1 ? '' : 'es'} in it or below ` +
          `(pid${pids.length === 1 ? '' : 's'} ${pids.slice(0, 10).join(', ')}${pids.length > 10 ? ', …' : ''}); nothing was removed. Stop them first or remove with kill`,
        { value: parsed.text },
      );
    }
    if (pids.length > 0) {
      await this.killAll(trees, dirs);
      for (let i = 0; i < KILL_POLLS && pids.length > 0; i++) {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        await pause(10);
        pids = await this.pidsIn(allDirs());
      }
      if (pids.length > 0) {
        throw new CgdashError('busy', `cgroup ${parsed.text}: ${pids.length} process(es) survived SIGKILL (pids ${pids.slice(0, 10).join(', ')}); nothing was removed`);
      }
    }

    const removed: CgroupDir[] = [];
    try {
      for (const tree of trees.values()) {
        for (const d of tree) {
          // A killed task can linger in the kernel's books for a moment after leaving procs.
          for (let i = 0; ; i++) {
            try {
              await removeCgroupDir(d);
              break;
            } catch (err) {
              if (!(err instanceof CgdashError && err.kind === 'busy') || i >= 100) throw err;
              await pause(10);
            }
          }
          removed.push(d);
        }
      }
    } catch (err) {
      // Put back what was removed so the cgroup is whole again (its limits are lost).
      for (const d of removed.reverse()) {
        const parent = await openCgroupDir(d.hierarchy, path.posix.dirname(d.path));
        if (parent) await makeChildDir(parent, path.posix.basename(d.path)).catch(() => undefined);
      }
      throw err;
    }
  }

  /** Thaw (a frozen v1 task cannot die), then cgroup.kill where the kernel has it. */
  private async killAll(trees: Map<number, CgroupDir[]>, dirs: Map<number, CgroupDir>): Promise<void> {
    const { freezer, core } = this.config;
    if (freezer) {
      for (const d of trees.get(freezer.hierarchy.id) ?? []) {
        if (await freezer.driver.isFrozen(d)) await freezer.driver.setFrozen(d, false);
      }
    }
    const coreDir = core ? dirs.get(core.hierarchy.id) : undefined;
    if (core && coreDir) await core.driver.kill(coreDir);
  }

  async setLimits(ref: string, patch: LimitsPatch, opts: WriteOptions = {}): Promise<Limits> {
    const normal = validatePatch(patch);
    const { ref: parsed, placements, dirs } = await this.open(ref);
    assertWritable(this.hierarchies, placements.filter((p) => dirs.has(p.hierarchyId)), parsed, opts.allowUnmanaged, 'change limits of');

    const readErrors: ReadError[] = [];
    const current = await this.readLimitsOf(dirs, readErrors);
    const work: { driver: ControllerDriver; d: CgroupDir; patch: LimitsPatch; ctx: WriteContext }[] = [];
    const journal = new WriteJournal();
    const claimed = new Set<keyof LimitsPatch>();
    for (const { driver, hierarchy } of this.config.controllers) {
      const d = dirs.get(hierarchy.id);
      const keys = (Object.keys(normal) as (keyof LimitsPatch)[]).filter((k) => driver.patchKeys.includes(k) && !claimed.has(k));
      if (!d || keys.length === 0 || !driver.apply) continue;
      const sub: LimitsPatch = {};
      for (const k of keys) {
        claimed.add(k);
        (sub as Record<string, unknown>)[k] = normal[k];
      }
      const parent = d.path === '/' ? null : await openCgroupDir(hierarchy, path.posix.dirname(d.path));
      work.push({ driver, d, patch: sub, ctx: { journal, roots: this.config.roots, parent } });
    }
    for (const key of Object.keys(normal) as (keyof LimitsPatch)[]) {
      const area = limitAreaOf[key];
      if (!claimed.has(key) || current[area] === null) {
        throw new CgdashError('unavailable', `${key}: the ${area} controller is not available for ${parsed.text || '(managed root)'} on this host`, {
          field: key,
        });
      }
    }
    for (const w of work) await w.driver.check?.(w.d, w.patch, w.ctx);
    try {
      for (const w of work) await w.driver.apply?.(w.d, w.patch, w.ctx);
    } catch (err) {
      const failures = await journal.rollback();
      if (failures.length > 0 && err instanceof Error) err.message += `; restoring the previous values also failed: ${failures.join('; ')}`;
      throw err;
    }
    return this.readLimitsOf(dirs, []);
  }

  /** Move a process (all its threads) into the cgroup in every hierarchy where it exists. */
  async moveProcess(pid: number, ref: string, opts: WriteOptions = {}): Promise<void> {
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new CgdashError('invalid', `pid: ${pid} is not a process id`, { field: 'pid' });
    const { ref: parsed, placements, dirs } = await this.open(ref);
    assertWritable(this.hierarchies, placements.filter((p) => dirs.has(p.hierarchyId)), parsed, opts.allowUnmanaged, 'move a process into');
    const before = await this.cgroupsOfPid(pid);
    const moved: number[] = [];
    try {
      for (const [id, d] of dirs) {
        await writeCgroupProcs(d, pid);
        moved.push(id);
      }
    } catch (err) {
      for (const id of moved) {
        const from = before.find((e) => e.hierarchyId === id);
        const d = from ? await openCgroupDir(this.hierarchy(id), from.path) : null;
        if (d) await writeCgroupProcs(d, pid).catch(() => undefined);
      }
      throw err;
    }
  }

  private async freezerDir(ref: string, opts: WriteOptions): Promise<{ driver: FreezerDriver; d: CgroupDir }> {
    const { freezer } = this.config;
    if (!freezer) throw new CgdashError('unavailable', 'this host has no cgroup freezer');
    const { ref: parsed, placements, dirs } = await this.open(ref);
    assertWritable(this.hierarchies, placements.filter((p) => dirs.has(p.hierarchyId)), parsed, opts.allowUnmanaged, 'freeze or thaw');
    const d = dirs.get(freezer.hierarchy.id);
    if (!d) throw new CgdashError('not_found', `cgroup ${parsed.text} does not exist in the freezer hierarchy`);
    return { driver: freezer.driver, d };
  }

  async freeze(ref: string, opts: WriteOptions = {}): Promise<void> {
    const { driver, d } = await this.freezerDir(ref, opts);
    await driver.setFrozen(d, true);
  }

  async thaw(ref: string, opts: WriteOptions = {}): Promise<void> {
    const { driver, d } = await this.freezerDir(ref, opts);
    await driver.setFrozen(d, false);
  }
}
