/**
 * Skipping the CPU reads of idle subtrees. A cgroup's CPU usage counter (v1 cpuacct.usage, v2
 * cpu.stat usage_usec) includes all its descendants and never goes down, so when a parent's
 * counter did not move between two sweeps, no descendant's did either: their values are the
 * ones already known. The monitor reads the CPU usage of every parent first ("gates", a small
 * sampler of their own), then leaves out the CPU reads of the children of unchanged gates from
 * the sweep of every cgroup. The answer is exact, not an estimate: on a host where whole
 * subtrees are idle (stopped tenants, idle pods), the sweep reads one CPU file per idle
 * subtree instead of one per cgroup. It saves nothing where siblings are busy.
 *
 * Parents are found through the directory the CPU usage is read from (plan.ts: v1 cpuacct
 * before v2), so a gate and its children always compare the same counter of one hierarchy.
 *
 * The one case the rule misses is a counter reset by hand (writing 0 to a v1 cpuacct.usage):
 * the parent does not see it, so every `fullReadEvery` sweeps no read is left out.
 */
import path from 'node:path';
import { FIELD_COUNT, Field, fieldBit, fieldMask, type SampleBatch, type SampleTargetDir, type SamplerHandle } from './sampler';
import { planTarget } from './sampler/plan';

export interface GateTarget {
  key: number;
  dirs: readonly SampleTargetDir[];
}

/** What the last gate sweep found for one gate. */
export interface GateRead {
  /** CPU usage, µs (the sampler's cpuUsageUsec). */
  cpu: number;
  /** Monotonic ms of the read (the batch's start). */
  ms: number;
}

interface GateState extends GateRead {
  /** Read in the last sweep (not vanished, the file present). */
  fresh: boolean;
  /** Fresh, and equal to the read it follows (of sweep `prevSweep`). */
  same: boolean;
  /** The sweep of this read, and of the read before it. */
  readSweep: number;
  prevSweep: number;
}

const CPU_MASK = fieldMask('cpuUsageUsec');
const CPU_BIT = fieldBit(Field.cpuUsageUsec);

/** The directory a target's CPU usage is read from: the first planned file that gives it. */
export function cpuDirOf(dirs: readonly SampleTargetDir[]): string | null {
  const first = planTarget(dirs, CPU_MASK)[0];
  return first ? (dirs[first.dir]?.dir ?? null) : null;
}

/** Each target's parent among the targets (by the CPU directory), keyed by target key. */
export function cpuParents(targets: readonly GateTarget[]): Map<number, number> {
  const byDir = new Map<string, number>();
  const dirOf = new Map<number, string>();
  for (const t of targets) {
    const dir = cpuDirOf(t.dirs);
    if (dir === null) continue;
    byDir.set(dir, t.key);
    dirOf.set(t.key, dir);
  }
  const parents = new Map<number, number>();
  for (const [key, dir] of dirOf) {
    const up = path.posix.dirname(dir);
    const parent = up === dir ? undefined : byDir.get(up);
    if (parent !== undefined) parents.set(key, parent);
  }
  return parents;
}

export class CpuGates {
  private parentOf = new Map<number, number>();
  private readonly states = new Map<number, GateState>();
  /** Each gate's CPU counter directory. */
  private gateDirs = new Map<number, string | null>();
  private forced = false;
  /** The number of the last `read` (1, 2, …): what callers note as "known since". */
  sweep = 0;

  constructor(
    /** A sampler of the cpuUsageUsec field alone. */
    private readonly sampler: SamplerHandle,
    private readonly fullReadEvery = 60,
  ) {}

  /** Gates now (targets with at least one child target). */
  get count(): number {
    return this.gateDirs.size;
  }

  /**
   * The target set changed: find the parents again and re-set the gate sampler (it keeps the
   * files of gates that stayed where they were).
   */
  async setTargets(targets: readonly GateTarget[]): Promise<void> {
    this.parentOf = cpuParents(targets);
    const isGate = new Set(this.parentOf.values());
    const gates = targets.filter((t) => isGate.has(t.key));
    const dirs = new Map(gates.map((t) => [t.key, cpuDirOf(t.dirs)]));
    // A gate that is gone, or whose counter is another directory now, has no read to compare with.
    for (const k of this.states.keys()) if (dirs.get(k) !== this.gateDirs.get(k)) this.states.delete(k);
    this.gateDirs = dirs;
    await this.sampler.setTargets(gates);
  }

  /** Read every gate's CPU usage; call before the sweep that asks `ownRead`/`parentUnchanged`. */
  async read(monoMs: (b: SampleBatch) => number): Promise<void> {
    this.sweep++;
    this.forced = this.sweep % this.fullReadEvery === 0;
    for (const s of this.states.values()) s.fresh = s.same = false;
    if (this.gateDirs.size === 0) return;
    const batch = await this.sampler.sample();
    const ms = monoMs(batch);
    for (let r = 0; r < batch.keys.length; r++) {
      const key = batch.keys[r]!;
      if (batch.vanished[r] || !((batch.present[r] ?? 0) & CPU_BIT)) {
        this.states.delete(key);
        continue;
      }
      const cpu = Number(batch.values[r * FIELD_COUNT + Field.cpuUsageUsec] ?? 0n);
      const was = this.states.get(key);
      if (was) {
        was.same = was.cpu === cpu;
        was.fresh = true;
        was.prevSweep = was.readSweep;
        was.readSweep = this.sweep;
        was.cpu = cpu;
        was.ms = ms;
      } else {
        this.states.set(key, { cpu, ms, fresh: true, same: false, prevSweep: 0, readSweep: this.sweep });
      }
    }
  }

  /** A gate's own CPU usage from this sweep's gate read, or null (not a gate, or not read). */
  ownRead(key: number): GateRead | null {
    const s = this.states.get(key);
    return s?.fresh ? s : null;
  }

  /**
   * Whether `key`'s usage is still the value the caller holds, which it has known since the
   * gate read of sweep `knownSince` (read then or later, or itself carried from then): true when
   * the parent gate read the same usage now as at a read no older than that. Returns the
   * parent's read (the time the child's usage is known for), or null: read the child.
   */
  parentUnchanged(key: number, knownSince: number): GateRead | null {
    if (this.forced || knownSince === 0) return null;
    const parent = this.parentOf.get(key);
    const s = parent === undefined ? undefined : this.states.get(parent);
    return s?.same && s.fresh && knownSince >= s.prevSweep ? s : null;
  }

  close(): Promise<void> {
    this.states.clear();
    this.gateDirs.clear();
    return this.sampler.close();
  }
}
