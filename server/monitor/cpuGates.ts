/**
 * Skipping the CPU reads of idle cgroups. A cgroup's CPU usage counter (v1 cpuacct.usage, v2
 * cpu.stat usage_usec) includes all its descendants and never goes down. The monitor reads the
 * CPU usage of every parent first ("gates", a small sampler of their own), then leaves out the
 * CPU reads of the children whose values it can prove unchanged since the gate's previous read:
 *
 *  - the gate's counter did not move: no child's did;
 *  - the gate's counter moved, but no more than its recently active children ("witnesses") did:
 *    the rest did not move. One job reads every witness, then every gate, then every witness
 *    again. A witness's rise from its read just after the gate's previous read to its read just
 *    before the gate's read now is no more than what it used between the two gate reads (a
 *    counter never goes down), so when the witnesses' rises add up to the gate's, nothing is
 *    left for the other children (or the gate's own tasks). The read just after the gate is
 *    also the witness's value for the sweep (`ownRead`). A busy child among a thousand idle
 *    siblings then costs two reads a sweep instead of a thousand; a charge that lands between a
 *    witness's read and its gate's (µs apart) only makes that sweep read every child.
 *
 * A child's value is left out only when the monitor has known it since that previous gate read
 * (read then or later, or itself carried from then), so the carried value is the child's value
 * now. The counters are whole µs (v1's ns are cut to µs like v2's), and each cut can hide less
 * than 1 µs, so a gate's rise counts as explained when the witnesses' rises come within one µs
 * each of it: a left-out child can be behind by less than 1 + 2 × (its gate's witnesses) µs per
 * sweep, until its next read.
 *
 * Parents are found through the directory the CPU usage is read from (plan.ts: v1 cpuacct
 * before v2), so a gate, its witnesses and its children always compare one hierarchy's counter.
 *
 * The rule cannot see a counter reset by hand (writing 0 to a v1 cpuacct.usage), so every
 * `fullReadEvery` sweeps no read is left out.
 */
import path from 'node:path';
import { FIELD_COUNT, Field, fieldBit, fieldMask, sampleAll, type SampleBatch, type SampleTargetDir, type SamplerHandle } from './sampler';
import { planTarget } from './sampler/plan';

export interface GateTarget {
  key: number;
  dirs: readonly SampleTargetDir[];
}

/** What the last gate sweep found for one gate or witness. */
export interface GateRead {
  /** CPU usage, µs (the sampler's cpuUsageUsec). */
  cpu: number;
  /** Monotonic ms of the read (the batch's start). */
  ms: number;
}

interface GateState extends GateRead {
  /** Read in the last sweep (not vanished, the file present). */
  fresh: boolean;
  /** How much the counter rose since the read of sweep `prevSweep` (NaN: no such read, or it went down). */
  rise: number;
  /** Fresh, and its rise is all its witnesses': the other children did not move. */
  quiet: boolean;
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
  private targetByKey = new Map<number, GateTarget>();
  /** Children read just before and just after the gates (both witness samplers read these). */
  private witnessKeys: number[] = [];
  /** Each witness's read just after the gates, and the sweep of that read. */
  private readonly witnessAfter = new Map<number, GateRead & { sweep: number }>();
  private forced = false;
  /** The number of the last `read` (1, 2, …): what callers note as "known since". */
  sweep = 0;

  constructor(
    /** Samplers of the cpuUsageUsec field alone: the gates, and the witnesses read before and after them. */
    private readonly samplers: { gates: SamplerHandle; before: SamplerHandle; after: SamplerHandle },
    private readonly fullReadEvery = 60,
  ) {}

  /** Gates now (targets with at least one child target). */
  get count(): number {
    return this.gateDirs.size;
  }

  /** Witnesses now (recently active children read around their gates). */
  get witnessCount(): number {
    return this.witnessKeys.length;
  }

  /** Whether `key` has a gate (its CPU read can be left out). */
  hasGate(key: number): boolean {
    return this.parentOf.has(key);
  }

  /**
   * The target set changed: find the parents again and re-set the gate sampler (it keeps the
   * files of gates that stayed where they were).
   */
  async setTargets(targets: readonly GateTarget[]): Promise<void> {
    this.parentOf = cpuParents(targets);
    this.targetByKey = new Map(targets.map((t) => [t.key, t]));
    const isGate = new Set(this.parentOf.values());
    const gates = targets.filter((t) => isGate.has(t.key));
    const dirs = new Map(gates.map((t) => [t.key, cpuDirOf(t.dirs)]));
    // A gate that is gone, or whose counter is another directory now, has no read to compare with.
    for (const k of this.states.keys()) if (dirs.get(k) !== this.gateDirs.get(k)) this.states.delete(k);
    this.gateDirs = dirs;
    await this.samplers.gates.setTargets(gates);
    // The witnesses' directories may have changed: they start again from their next read after the gates.
    this.witnessAfter.clear();
    await this.useWitnesses(this.witnessable(this.witnessKeys));
  }

  /**
   * The children to read around their gates: those that used CPU lately. A busy child left out
   * of this set costs nothing but the saving (its gate's rise is not accounted for, so its
   * siblings are read); one kept in it costs two reads a sweep.
   */
  async setWitnesses(keys: readonly number[]): Promise<void> {
    const next = this.witnessable(keys);
    if (next.length === this.witnessKeys.length && next.every((k, i) => k === this.witnessKeys[i])) return;
    await this.useWitnesses(next);
  }

  /** The keys that can be witnesses: targets with a gate. */
  private witnessable(keys: readonly number[]): number[] {
    return keys.filter((k) => this.parentOf.has(k) && this.targetByKey.has(k));
  }

  private async useWitnesses(next: number[]): Promise<void> {
    this.witnessKeys = next;
    const keep = new Set(next);
    for (const k of this.witnessAfter.keys()) if (!keep.has(k)) this.witnessAfter.delete(k);
    const targets = next.map((k) => this.targetByKey.get(k)!);
    await Promise.all([this.samplers.before.setTargets(targets), this.samplers.after.setTargets(targets)]);
  }

  /** Read the witnesses, every gate, and the witnesses again, in one job; call before the sweep that asks `ownRead`/`parentAccounts`. */
  async read(monoMs: (b: SampleBatch) => number): Promise<void> {
    this.sweep++;
    this.forced = this.sweep % this.fullReadEvery === 0;
    for (const s of this.states.values()) {
      s.fresh = s.quiet = false;
      s.rise = NaN;
    }
    if (this.gateDirs.size === 0) return;
    let before: SampleBatch | null = null;
    let after: SampleBatch | null = null;
    let gates: SampleBatch;
    if (this.witnessKeys.length > 0) [before, gates, after] = (await sampleAll([this.samplers.before, this.samplers.gates, this.samplers.after])) as [SampleBatch, SampleBatch, SampleBatch];
    else gates = await this.samplers.gates.sample();
    const ms = monoMs(gates);
    for (let r = 0; r < gates.keys.length; r++) {
      const key = gates.keys[r]!;
      const cpu = cpuOf(gates, r);
      if (cpu === null) {
        this.states.delete(key);
        continue;
      }
      const was = this.states.get(key);
      if (was) {
        was.rise = cpu >= was.cpu ? cpu - was.cpu : NaN;
        was.fresh = true;
        was.prevSweep = was.readSweep;
        was.readSweep = this.sweep;
        was.cpu = cpu;
        was.ms = ms;
      } else {
        this.states.set(key, { cpu, ms, fresh: true, rise: NaN, quiet: false, prevSweep: 0, readSweep: this.sweep });
      }
    }
    const explained = before ? this.witnessRises(before) : new Map<number, { rise: number; witnesses: number }>();
    for (const [key, s] of this.states) {
      if (!s.fresh || Number.isNaN(s.rise)) continue;
      const w = explained.get(key);
      // Each witness's rise and the gate's are whole µs cut from finer counters: one µs apart each is equal.
      s.quiet = s.rise === 0 || (w !== undefined && w.rise >= s.rise - w.witnesses);
    }
    if (after) this.noteAfter(after, monoMs(after));
  }

  /** Each gate's witnesses' rises added up, from their reads after its previous read to before this one (NaN: one unknown). */
  private witnessRises(before: SampleBatch): Map<number, { rise: number; witnesses: number }> {
    const sums = new Map<number, { rise: number; witnesses: number }>();
    for (let r = 0; r < before.keys.length; r++) {
      const key = before.keys[r]!;
      const gate = this.parentOf.get(key);
      const s = gate === undefined ? undefined : this.states.get(gate);
      if (gate === undefined || !s?.fresh) continue;
      const now = cpuOf(before, r);
      const base = this.witnessAfter.get(key);
      // The base must be a read at or after the gate's previous read, or the rise could miss some.
      const rise = now !== null && base !== undefined && base.sweep >= s.prevSweep ? now - base.cpu : NaN;
      const sum = sums.get(gate) ?? { rise: 0, witnesses: 0 };
      sum.rise += rise;
      sum.witnesses++;
      sums.set(gate, sum);
    }
    return sums;
  }

  private noteAfter(after: SampleBatch, ms: number): void {
    for (let r = 0; r < after.keys.length; r++) {
      const key = after.keys[r]!;
      const cpu = cpuOf(after, r);
      if (cpu === null) this.witnessAfter.delete(key);
      else this.witnessAfter.set(key, { cpu, ms, sweep: this.sweep });
    }
  }

  /** A gate's or witness's own CPU usage from this sweep's read (after the gates), or null (neither, or not read). */
  ownRead(key: number): GateRead | null {
    const s = this.states.get(key);
    if (s?.fresh) return s;
    const w = this.witnessAfter.get(key);
    return w?.sweep === this.sweep ? w : null;
  }

  /**
   * Whether `key`'s usage is still the value the caller holds, which it has known since the
   * gate read of sweep `knownSince` (read then or later, or itself carried from then): true when
   * the parent gate is quiet since a read no older than that. Returns the parent's read (the
   * time the child's usage is known for), or null: read the child.
   */
  parentAccounts(key: number, knownSince: number): GateRead | null {
    if (this.forced || knownSince === 0) return null;
    const parent = this.parentOf.get(key);
    const s = parent === undefined ? undefined : this.states.get(parent);
    return s?.quiet && knownSince >= s.prevSweep ? s : null;
  }

  close(): Promise<void> {
    this.states.clear();
    this.gateDirs.clear();
    this.witnessAfter.clear();
    return Promise.all([this.samplers.gates.close(), this.samplers.before.close(), this.samplers.after.close()]).then(() => undefined);
  }
}

/** The CPU usage in row `r` of a gate or witness batch, or null (vanished, or the file not read). */
function cpuOf(batch: SampleBatch, r: number): number | null {
  if (batch.vanished[r] || !((batch.present[r] ?? 0) & CPU_BIT)) return null;
  return Number(batch.values[r * FIELD_COUNT + Field.cpuUsageUsec] ?? 0n);
}
