/**
 * The monitor: samples every cgroup of the host at a fixed interval, derives rates, keeps
 * 15 minutes in memory and minute rollups on disk, detects events, and feeds the live API and
 * /metrics.
 *
 * Cost control, after cAdvisor's housekeeping: reading every file of every cgroup each second
 * costs ~65 µs of CPU per cgroup (6.5 % of a core for a thousand), almost all of it in the kernel
 * producing memory.stat and friends. Most cgroups on a host are idle most of the time, so:
 *  - a "cold" sampler reads only cpu usage and pids of every cgroup every sweep (~10 µs each);
 *  - a "hot" sampler reads everything of the cgroups that used CPU, changed pids or showed
 *    pressure in the last `idleSweeps` sweeps, and of those someone is watching (and "/");
 *  - a "refresh" sampler reads everything of a few idle cgroups per sweep (each one about once a
 *    `refreshPeriodSweeps`), and of new ones, so their memory and counters stay current.
 * CPU % is therefore exact for every cgroup at every sweep; the other series of an idle cgroup
 * keep their last value until its next full read (an idle cgroup's memory barely moves), and
 * its rates are computed over the longer interval between full reads.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { CgroupManager, Hierarchy, LimitsPatch } from '@/server/cgroup';
import type { Db } from '@/server/db';
import { parseRef } from '@/server/cgroup/refs';
import { Channel, resumable } from './channel';
import { CgroupDiscovery, type DiscoveryStatus } from './discovery';
import { bucketMsFor, bucketize } from './downsample';
import { CgroupDetector, defaultDetectorOptions, type DetectorOptions, type MonitorEvent, type NewMonitorEvent } from './events';
import { EventStore, type EventFilter } from './eventStore';
import { KeyStore } from './keys';
import { LimitsCache, type CgroupLimitsView } from './limits';
import { NameResolvers, type CgroupIdentity, type NameResolver } from './names';
import { copyBatchRow, counterDelta, cpuCores, deriveFull, type RawRow } from './rates';
import { SeriesRing, slotsForBudget } from './ring';
import { MinuteAccumulator, minuteOf, ROLLUP_MS, ROLLUP_RETENTION_MS, RollupStore } from './rollups';
import { createSampler, FIELD_COUNT, Field, fieldBit, sampleAll, type SampleBatch, type SamplerHandle } from './sampler';
import { EXTRAS, EXTRAS_COUNT, S, SERIES_COUNT, SERIES_IDS, seriesArray, type SeriesId } from './series';
import { CpuGates } from './cpuGates';
import { ShardedSampler, type ShardTarget } from './shards';
import { dirsSignature, logicalCgroup, refOf, type LogicalCgroup } from './targets';
import { findings, type DiagnoseResult } from './diagnose';
import { encodeTopFrame, type TopRow } from './wire';

export const WINDOWS = { '1m': 60_000, '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
export type HistoryWindow = keyof typeof WINDOWS;

export const RING_SPAN_MS = 15 * 60_000;
/** A vanished cgroup's history stays viewable this long. */
const GONE_KEEP_MS = RING_SPAN_MS;
/** A gated cgroup that used CPU within this many sweeps is read before its gate (cpuGates.ts: a witness). */
const WITNESS_IDLE_SWEEPS = 5;

export interface MonitorOptions {
  intervalMs: number;
  /** Random shift of each sweep (±ms), so many servers on a host do not sweep in lockstep. */
  jitterMs?: number;
  sampler?: 'auto' | 'native' | 'ts';
  /** Memory for the 15-minute ring. */
  ringBudgetBytes?: number;
  /** Read only cpu and pids of idle cgroups (default true). */
  idleBackoff?: boolean;
  /** Leave out the CPU reads of children whose parent's usage did not move, or only by its busy children's (cpuGates.ts; default true). */
  skipIdleSubtrees?: boolean;
  idleSweeps?: number;
  refreshPeriodSweeps?: number;
  /** New cgroups given their first full read per sweep, at most. */
  newPerSweep?: number;
  maxHot?: number;
  /** Witnesses (cpuGates.ts) at most, the most recently active first: a burst of new cgroups would otherwise all be. */
  maxWitnesses?: number;
  maxTargets?: number;
  detector?: Partial<DetectorOptions>;
  /** inotify watches for new cgroups (default true). */
  watch?: boolean;
  /** Apply discovered cgroup changes at most this often (they cost a sampler re-set). */
  targetsEveryMs?: number;
  /** Share of wall time spent reading limits (fill phase, then steady). */
  limitsShare?: { fill: number; steady: number };
  log?: (message: string) => void;
  /** Sweep on a timer (default); false: only `sweepNow()` sweeps (tests). */
  autoSweep?: boolean;
  /** Clocks; tests drive them to get exact rates. `monoMs` replaces the sampler's timestamps. */
  clock?: { nowMs: () => number; monoMs?: () => number };
}

interface Target {
  index: number;
  ref: string;
  path: string;
  /** All its absolute paths (hybrid hosts: one per hierarchy where they differ). */
  paths: string[];
  managedPath: string | null;
  keyId: number;
  slot: number | null;
  dirs: LogicalCgroup['dirs'];
  signature: string;
  identity: CgroupIdentity;
  /** Epoch ms it was last seen gone; null while it exists. */
  goneAt: number | null;
  appearedAt: number;
  /** Made while the monitor watched: its event counters started at 0, so what the first read finds happened since. */
  fresh: boolean;
  /** Bumped when path or identity change (the top stream re-sends the row). */
  identityVersion: number;
}

export interface HistorySeries {
  ref: string;
  /** Whether the monitor knows this cgroup (now, or from stored rollups). */
  known: boolean;
  path: string | null;
  t: number[];
  series: Record<SeriesId, (number | null)[]>;
  /** Bucket maxima (windows past 15 min, from the minute maxima). */
  max: Record<SeriesId, (number | null)[]> | null;
  limits: CgroupLimitsView | null;
}

export interface HistoryResult {
  window: HistoryWindow;
  windowMs: number;
  bucketMs: number;
  source: 'memory' | 'rollups';
  /** Resume point for `live` (memory windows): the last sweep included. */
  lastEventId: string | null;
  intervalMs: number;
  refs: HistorySeries[];
}

export interface LiveFrame {
  seq: number;
  /** Epoch ms of the sweep. */
  t: number;
  /** Per ref: SERIES values in SERIES order (null = unknown), or null when the cgroup is unknown. */
  values: Record<string, (number | null)[] | null>;
}

export interface MetricsCgroup {
  ref: string;
  path: string;
  identity: CgroupIdentity;
  /** Raw counters and gauges of the last full read (FIELD_COUNT numbers), and which are present. */
  raw: Float64Array;
  present: number;
  limits: CgroupLimitsView | null;
  lastSeenMs: number;
}

export interface LagFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Window start and end (epoch ms). */
  fromMs: number;
  toMs: number;
}

export interface MonitorStatus {
  running: boolean;
  sampler: { kind: string; reason: string } | null;
  intervalMs: number;
  runId: string;
  sweeps: number;
  /** durationMs: start to end (wall); sampleMs: waiting for the samplers; planMs and processMs: main-thread work before and after. */
  lastSweep: { seq: number; at: number; durationMs: number; sampleMs: number; planMs: number; processMs: number } | null;
  /** Averages over the last minute of main-thread work per sweep (ms). */
  avgPlanMs: number;
  avgProcessMs: number;
  /** Average sweep duration over the last minute. */
  avgSweepMs: number;
  targets: number;
  hot: number;
  /** Parents whose CPU usage is read first, and the CPU reads the last sweep left out thanks to them. */
  cpuGates: { gates: number; witnesses: number; skippedReads: number };
  gone: number;
  ring: { slots: number; maxSlots: number; bytes: number; spanMs: number };
  discovery: DiscoveryStatus | null;
  limits: { known: number; reads: number };
  subscribers: { live: number; top: number; events: number };
  sampleErrors: number;
  eventLoop: { current: LagFigures; lastWindow: LagFigures | null };
}


function grow<T extends Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array>(old: T, size: number, fill: number, make: (n: number) => T): T {
  const next = make(size);
  if (fill !== 0) next.fill(fill);
  next.set(old);
  return next;
}

const LAG_WINDOW_MS = 60_000;
/**
 * How often the event-loop delay histogram samples. Each sample wakes the loop; at the usual
 * 10 ms that alone was a third of the idle server's CPU. Samples fall at times independent of
 * the work, so 20 a second estimate the same delay distribution, with fewer points per window.
 */
const LAG_RESOLUTION_MS = 50;
/** The numeric columns of a top row (compared between sweeps to send only changes). */
const TOP_NUMBERS = [
  'cpuCores', 'memoryBytes', 'ioReadBytesPerSec', 'ioWriteBytesPerSec', 'pids', 'cpuThrottledPct',
  'psiCpuSomePct', 'psiMemorySomePct', 'psiIoSomePct', 'memoryMaxBytes', 'cpuQuotaCores',
] as const satisfies readonly (keyof TopRow)[];
const ALL_FIELDS = (2 ** FIELD_COUNT - 1) >>> 0;
const CPU_BIT = fieldBit(Field.cpuUsageUsec);

export class Monitor {
  readonly runId = randomBytes(4).toString('hex');
  readonly intervalMs: number;
  readonly events: EventStore;
  readonly names = new NameResolvers();
  private readonly o: Required<Omit<MonitorOptions, 'detector' | 'log' | 'limitsShare' | 'clock'>> & Pick<MonitorOptions, 'log'>;
  private readonly now: () => number;
  private readonly monoMs: ((b: SampleBatch) => number);
  private readonly detectorOptions: DetectorOptions;
  private readonly keys: KeyStore;
  private readonly rollups: RollupStore;
  private readonly ring: SeriesRing;
  private readonly acc = new MinuteAccumulator();
  readonly limits: LimitsCache;
  private discovery: CgroupDiscovery | null = null;
  private samplers: { cold: ShardedSampler; hot: ShardedSampler; refresh: SamplerHandle; gates: CpuGates } | null = null;

  private readonly targets = new Map<string, Target>();
  private readonly byPath = new Map<string, Target>();
  private readonly byKey = new Map<number, Target>();
  private byIndex: (Target | undefined)[] = [];
  private freeIndexes: number[] = [];
  private cap = 0;
  // Per target index:
  private coldCpu = new Float64Array(0);
  private coldPids = new Float64Array(0);
  private coldMs = new Float64Array(0);
  private coldHas = new Uint8Array(0);
  /** The gate sweep (CpuGates.sweep) since which coldCpu is known; 0: never. */
  private coldSince = new Uint32Array(0);
  /** This sweep: the CPU usage the cold read left out, known from cpuGates, and when it held (NaN: read). */
  private knownCpu = new Float64Array(0);
  private knownCpuMs = new Float64Array(0);
  private skippedReads = 0;
  private full = new Float64Array(0);
  private fullPresent = new Uint32Array(0);
  private fullMs = new Float64Array(0);
  private fullHas = new Uint8Array(0);
  private fullNow = new Uint8Array(0);
  private series = new Float32Array(0);
  private extras = new Float64Array(0);
  private idle = new Uint16Array(0);
  private wrote = new Uint8Array(0);
  private readonly detectors = new Map<number, CgroupDetector>();

  private hotKeys = new Set<number>();
  /** Targets that exist now (rebuilt when the set changes). */
  private liveList: Target[] = [];
  /** Where each ref lives, per hierarchy: what discovery found, kept up to date from its changes. */
  private readonly placements = new Map<string, { managedPath: string | null; byHierarchy: Map<number, string> }>();
  private readonly dirtyRefs = new Set<string>();
  private lastApplyMs = 0;
  private targetChanges = 0;
  private readonly hierarchyById: Map<number, Hierarchy>;
  private refreshKeys: number[] = [];
  private pendingFull: number[] = [];
  private refreshCursor = 0;
  private readonly pins = new Map<string, number>();
  private initialTargets = true;

  private readonly sweepChannel = new Channel<{ seq: number; t: number }>(8);
  private readonly topChannel = new Channel<{ seq: number; json: string }>(4);
  private topCache: { seq: number; json: string } | null = null;
  /** The top values each cgroup had at the previous sweep (TOP_NUMBERS per index), to send only changes. */
  private topSent = new Float64Array(0);
  private topIdentity: (number | undefined)[] = [];
  private readonly topNumbers = new Float64Array(TOP_NUMBERS.length);
  private topRefs = new Set<string>();

  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeLoop: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private seq = -1;
  private sweeps = 0;
  private lastSweep: MonitorStatus['lastSweep'] = null;
  private sweepHistory: NonNullable<MonitorStatus['lastSweep']>[] = [];
  private sampleErrors = 0;
  private readonly loggedErrors = new Set<string>();
  private lastPruneMs = 0;
  private lastNamesMs = 0;
  private lag: IntervalHistogram | null = null;
  private lagWindowStart = Date.now();
  private lastLagWindow: LagFigures | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly tmpRow = new Float64Array(FIELD_COUNT);
  private readonly tmpSeries = new Float32Array(SERIES_COUNT);
  private readonly hierarchies: readonly Hierarchy[];

  constructor(
    private readonly deps: { cgroups: CgroupManager; db: Db },
    options: MonitorOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.o = {
      jitterMs: Math.min(50, Math.round(options.intervalMs * 0.05)),
      sampler: 'auto',
      ringBudgetBytes: 48 * 1024 * 1024,
      idleBackoff: true,
      skipIdleSubtrees: true,
      idleSweeps: 10,
      refreshPeriodSweeps: 300,
      newPerSweep: 50,
      maxHot: 400,
      maxWitnesses: 256,
      maxTargets: 20_000,
      watch: true,
      autoSweep: true,
      targetsEveryMs: 2000,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Monitor['o'];
    this.detectorOptions = { ...defaultDetectorOptions, ...options.detector };
    this.now = options.clock?.nowMs ?? Date.now;
    const mono = options.clock?.monoMs;
    this.monoMs = mono ? () => mono() : (b) => Number(b.startedNs) / 1e6;
    this.hierarchies = deps.cgroups.hierarchies;
    this.hierarchyById = new Map(this.hierarchies.map((h) => [h.id, h]));
    this.keys = new KeyStore(deps.db);
    this.rollups = new RollupStore(deps.db);
    this.events = new EventStore(deps.db);
    const capacity = Math.ceil(RING_SPAN_MS / this.intervalMs) + 1;
    this.ring = new SeriesRing({ capacity, maxSlots: slotsForBudget(this.o.ringBudgetBytes, capacity) });
    this.limits = new LimitsCache({
      read: async (ref) => (await deps.cgroups.readLimits(ref)).limits,
      // At ~1 ms a cgroup (readLimits), 1000 cgroups are all read in ~7 minutes, then each is
      // read again every ~17 minutes for changes made outside cgdash (ours are read at once).
      fillShare: options.limitsShare?.fill ?? 0.0025,
      steadyShare: options.limitsShare?.steady ?? 0.001,
      now: this.now,
    });
  }

  // ---- lifecycle --------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.lag.enable();
    this.lagWindowStart = Date.now();
    this.lagTimer = setInterval(() => this.rollLagWindow(), LAG_WINDOW_MS);
    this.lagTimer.unref();
    const prefer = this.o.sampler;
    const cpuSampler = () => createSampler({ prefer, fields: ['cpuUsageUsec'] });
    this.samplers = {
      cold: new ShardedSampler(() => createSampler({ prefer, fields: ['cpuUsageUsec', 'pidsCurrent'] })),
      hot: new ShardedSampler(() => createSampler({ prefer })),
      refresh: createSampler({ prefer }),
      gates: new CpuGates({ gates: cpuSampler(), before: cpuSampler(), after: cpuSampler() }),
    };
    this.o.log?.(`monitor: ${this.samplers.refresh.reason}; every ${this.intervalMs} ms`);
    this.discovery = new CgroupDiscovery({ cgroups: this.deps.cgroups, watch: this.o.watch, log: this.o.log, onChange: () => this.wakeLoop?.() });
    await this.discovery.start();
    this.limits.start();
    if (this.o.autoSweep) this.loopDone = this.loop();
  }

  /** One sweep now (tests, with autoSweep off). */
  async sweepNow(): Promise<void> {
    if (!this.running) throw new Error('monitor: not started');
    await this.sweep();
  }

  /** Re-read the cgroup tree now (tests, and after a bulk change). */
  async rescan(): Promise<void> {
    await this.discovery?.reconcile();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wakeLoop?.();
    await this.loopDone;
    this.flushMinute();
    this.limits.stop();
    this.discovery?.stop();
    this.sweepChannel.closeAll();
    this.topChannel.closeAll();
    this.events.channel.closeAll();
    if (this.samplers) {
      await Promise.all([this.samplers.cold.close(), this.samplers.hot.close(), this.samplers.refresh.close(), this.samplers.gates.close()]);
      this.samplers = null;
    }
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lag?.disable();
  }

  /** Container and tenant modules name their cgroups through this; returns an unregister function. */
  addNameResolver(resolver: NameResolver): () => void {
    const remove = this.names.add(resolver);
    this.lastNamesMs = 0;
    return remove;
  }

  private async loop(): Promise<void> {
    let due = Date.now();
    while (this.running) {
      const jitter = (Math.random() * 2 - 1) * this.o.jitterMs;
      const wait = Math.max(0, due + jitter - Date.now());
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.timer = setTimeout(resolve, wait);
          this.wakeLoop = () => {
            // A discovery change does not move the schedule; stop() ends the wait.
            if (!this.running && this.timer) {
              clearTimeout(this.timer);
              resolve();
            }
          };
        });
      }
      if (!this.running) break;
      try {
        await this.sweep();
      } catch (err) {
        this.o.log?.(`monitor: sweep failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      // Stay on the grid; a sweep that overran skips the missed slots rather than bunching up.
      due += this.intervalMs;
      const now = Date.now();
      if (due < now) due += Math.ceil((now - due) / this.intervalMs) * this.intervalMs;
    }
  }

  // ---- targets ------------------------------------------------------------------------------

  private ensureCapacity(n: number): void {
    if (n <= this.cap) return;
    let size = Math.max(64, this.cap);
    while (size < n) size *= 2;
    this.coldCpu = grow(this.coldCpu, size, 0, (k) => new Float64Array(k));
    this.coldPids = grow(this.coldPids, size, 0, (k) => new Float64Array(k));
    this.coldMs = grow(this.coldMs, size, 0, (k) => new Float64Array(k));
    this.coldHas = grow(this.coldHas, size, 0, (k) => new Uint8Array(k));
    this.coldSince = grow(this.coldSince, size, 0, (k) => new Uint32Array(k));
    this.knownCpu = grow(this.knownCpu, size, NaN, (k) => new Float64Array(k));
    this.knownCpuMs = grow(this.knownCpuMs, size, 0, (k) => new Float64Array(k));
    this.full = grow(this.full, size * FIELD_COUNT, 0, (k) => new Float64Array(k));
    this.fullPresent = grow(this.fullPresent, size, 0, (k) => new Uint32Array(k));
    this.fullMs = grow(this.fullMs, size, 0, (k) => new Float64Array(k));
    this.fullHas = grow(this.fullHas, size, 0, (k) => new Uint8Array(k));
    this.fullNow = grow(this.fullNow, size, 0, (k) => new Uint8Array(k));
    this.series = grow(this.series, size * SERIES_COUNT, NaN, (k) => new Float32Array(k));
    this.extras = grow(this.extras, size * EXTRAS_COUNT, NaN, (k) => new Float64Array(k));
    this.idle = grow(this.idle, size, 0, (k) => new Uint16Array(k));
    this.wrote = grow(this.wrote, size, 0, (k) => new Uint8Array(k));
    this.topSent = grow(this.topSent, size * TOP_NUMBERS.length, NaN, (k) => new Float64Array(k));
    this.cap = size;
  }

  private resetIndex(i: number): void {
    this.coldHas[i] = 0;
    this.coldSince[i] = 0;
    this.fullHas[i] = 0;
    this.fullPresent[i] = 0;
    this.idle[i] = 0;
    this.series.fill(NaN, i * SERIES_COUNT, (i + 1) * SERIES_COUNT);
    this.extras.fill(NaN, i * EXTRAS_COUNT, (i + 1) * EXTRAS_COUNT);
    this.topSent.fill(NaN, i * TOP_NUMBERS.length, (i + 1) * TOP_NUMBERS.length);
    this.topIdentity[i] = undefined;
    this.detectors.delete(i);
  }

  private newTarget(g: LogicalCgroup, now: number): Target | null {
    if (this.targets.size >= this.o.maxTargets) return null;
    const index = this.freeIndexes.pop() ?? this.byIndex.length;
    this.ensureCapacity(index + 1);
    this.resetIndex(index);
    this.acc.clear(index);
    const t: Target = {
      index,
      ref: g.ref,
      path: g.path,
      paths: g.paths,
      managedPath: g.managedPath,
      keyId: this.keys.idOf(g.ref, now),
      slot: this.ring.allocSlot(),
      dirs: g.dirs,
      signature: dirsSignature(g.dirs),
      identity: this.names.resolve(g.ref),
      goneAt: null,
      appearedAt: now,
      fresh: !this.initialTargets,
      identityVersion: 0,
    };
    this.byIndex[index] = t;
    this.targets.set(t.ref, t);
    for (const p of t.paths) this.byPath.set(p, t);
    this.byKey.set(t.keyId, t);
    this.pendingFull.push(t.keyId);
    return t;
  }

  private dropTarget(t: Target): void {
    this.targets.delete(t.ref);
    for (const p of t.paths) if (this.byPath.get(p) === t) this.byPath.delete(p);
    this.byKey.delete(t.keyId);
    this.byIndex[t.index] = undefined;
    this.freeIndexes.push(t.index);
    if (t.slot !== null) this.ring.freeSlot(t.slot);
    this.detectors.delete(t.index);
    this.acc.clear(t.index);
  }

  /**
   * Bring the target set in line with what discovery found, from the changes since the last
   * call (never regrouping the whole tree: with churn on a big host that would cost a full pass
   * per new container).
   */
  private applyTargets(now: number): boolean {
    const discovery = this.discovery;
    if (!discovery) return false;
    for (const c of discovery.takeChanges()) {
      const h = this.hierarchyById.get(c.hierarchyId);
      if (!h) continue;
      const { ref, managedPath } = refOf(h, c.path);
      let where = this.placements.get(ref);
      if (!where) {
        where = { managedPath, byHierarchy: new Map() };
        this.placements.set(ref, where);
      }
      if (c.added) where.byHierarchy.set(h.id, c.path);
      else if (where.byHierarchy.get(h.id) === c.path) where.byHierarchy.delete(h.id);
      this.dirtyRefs.add(ref);
    }
    if (this.dirtyRefs.size === 0) return false;
    // Coalesce bursts: re-setting samplers has a cost per change; a new cgroup waits a moment.
    if (!this.initialTargets && now - this.lastApplyMs < this.o.targetsEveryMs) return false;
    this.lastApplyMs = now;
    const appeared: Target[] = [];
    const vanished: Target[] = [];
    let moved = false;
    for (const ref of this.dirtyRefs) {
      const where = this.placements.get(ref);
      const placements = this.hierarchies.flatMap((h) => {
        const p = where?.byHierarchy.get(h.id);
        return p === undefined ? [] : [{ h, path: p }];
      });
      const g = placements.length ? logicalCgroup(ref, where?.managedPath ?? null, placements) : null;
      const t = this.targets.get(ref);
      if (!g) {
        this.placements.delete(ref);
        if (t && t.goneAt === null) {
          t.goneAt = now;
          vanished.push(t);
        }
        continue;
      }
      if (!t) {
        const made = this.newTarget(g, now);
        if (made) appeared.push(made);
        continue;
      }
      if (t.goneAt !== null) {
        // Made again under the same name: new counters, same history.
        t.goneAt = null;
        t.appearedAt = now;
        t.fresh = true;
        this.resetIndex(t.index);
        this.pendingFull.push(t.keyId);
        appeared.push(t);
      }
      const signature = dirsSignature(g.dirs);
      if (signature !== t.signature) {
        t.dirs = g.dirs;
        t.signature = signature;
        this.coldHas[t.index] = 0;
        this.fullHas[t.index] = 0;
        moved = true;
      }
      if (t.paths.join('\n') !== g.paths.join('\n')) {
        for (const p of t.paths) if (this.byPath.get(p) === t) this.byPath.delete(p);
        t.paths = g.paths;
        for (const p of t.paths) this.byPath.set(p, t);
      }
      if (t.path !== g.path) t.identityVersion++;
      t.path = g.path;
    }
    this.dirtyRefs.clear();
    this.liveList = [...this.targets.values()].filter((t) => t.goneAt === null);
    this.limits.setRefs(this.liveList.map((t) => t.ref));
    if (!this.initialTargets) this.recordTargetEvents(appeared, 'cgroup_appeared', now);
    if (!this.initialTargets) this.recordTargetEvents(vanished, 'cgroup_vanished', now);
    this.initialTargets = false;
    this.targetChanges += appeared.length + vanished.length;
    return appeared.length > 0 || vanished.length > 0 || moved;
  }

  /** One event per cgroup; a burst (a tree made or removed at once) is summarised per parent. */
  private recordTargetEvents(list: Target[], type: 'cgroup_appeared' | 'cgroup_vanished', now: number): void {
    if (list.length === 0) return;
    const verb = type === 'cgroup_appeared' ? 'appeared' : 'vanished';
    const make = (t: Target): NewMonitorEvent => ({
      at: now,
      type,
      severity: 'info',
      ref: t.ref,
      name: t.identity.name ?? null,
      message: `cgroup ${t.path} ${verb}`,
      details: { path: t.path },
      actor: null,
    });
    if (list.length <= 20) {
      this.events.add(list.map(make));
      return;
    }
    const byParent = new Map<string, Target[]>();
    for (const t of list) {
      const parent = t.path.slice(0, Math.max(1, t.path.lastIndexOf('/')));
      byParent.set(parent, [...(byParent.get(parent) ?? []), t]);
    }
    const out: NewMonitorEvent[] = [];
    for (const [parent, ts] of byParent) {
      if (ts.length <= 3) out.push(...ts.map(make));
      else {
        const parentTarget = this.byPath.get(parent);
        out.push({
          at: now,
          type,
          severity: 'info',
          ref: parentTarget?.ref ?? parent,
          name: null,
          message: `${ts.length} cgroups ${verb} under ${parent}`,
          details: { count: ts.length, parent, first: ts[0]?.path ?? null },
          actor: null,
        });
      }
    }
    this.events.add(out);
  }

  private sampleTarget(t: Target): ShardTarget {
    return { key: t.keyId, dirs: t.dirs, signature: t.signature };
  }

  private isPinned(t: Target): boolean {
    return t.path === '/' || (this.pins.get(t.ref) ?? 0) > 0;
  }

  private pressured(i: number): boolean {
    const base = i * SERIES_COUNT;
    for (const s of [S.psiCpuSomePct, S.psiMemorySomePct, S.psiIoSomePct]) if ((this.series[base + s] ?? 0) >= 1) return true;
    return false;
  }

  /** Which cgroups get full reads next sweep. */
  private async planSamplers(live: Target[], targetsChanged: boolean): Promise<void> {
    const samplers = this.samplers;
    if (!samplers) return;
    if (targetsChanged) {
      await samplers.cold.setTargets(live.map((t) => this.sampleTarget(t)));
      if (this.o.skipIdleSubtrees) await samplers.gates.setTargets(live.map((t) => ({ key: t.keyId, dirs: t.dirs })));
    }
    if (this.o.skipIdleSubtrees) {
      // Witnesses: the gated cgroups active in the last few sweeps (their rises explain their gate's).
      let witnesses: Target[] = [];
      for (const t of live) if (this.coldHas[t.index] && (this.idle[t.index] ?? 0) < WITNESS_IDLE_SWEEPS && samplers.gates.hasGate(t.keyId)) witnesses.push(t);
      if (witnesses.length > this.o.maxWitnesses) {
        // The most recently active (a stable sort), kept in the order of the live list.
        const kept = new Set([...witnesses].sort((a, b) => (this.idle[a.index] ?? 0) - (this.idle[b.index] ?? 0)).slice(0, this.o.maxWitnesses));
        witnesses = witnesses.filter((t) => kept.has(t));
      }
      await samplers.gates.setWitnesses(witnesses.map((t) => t.keyId));
    }
    if (!this.o.idleBackoff && !targetsChanged) return;

    const wanted: Target[] = [];
    for (const t of live) {
      if (!this.o.idleBackoff || this.isPinned(t) || (this.coldHas[t.index] && (this.idle[t.index] ?? 0) < this.o.idleSweeps) || this.pressured(t.index)) {
        wanted.push(t);
      }
    }
    if (wanted.length > this.o.maxHot) {
      wanted.sort((a, b) => Number(this.isPinned(b)) - Number(this.isPinned(a)) || (this.idle[a.index] ?? 0) - (this.idle[b.index] ?? 0));
      wanted.length = this.o.maxHot;
    }
    const hotKeys = new Set(wanted.map((t) => t.keyId));
    let hotChanged = targetsChanged || hotKeys.size !== this.hotKeys.size;
    if (!hotChanged) for (const k of hotKeys) if (!this.hotKeys.has(k)) { hotChanged = true; break; }
    if (hotChanged) {
      this.hotKeys = hotKeys;
      await samplers.hot.setTargets(wanted.map((t) => this.sampleTarget(t)));
    }

    // Refresh: new cgroups first, then the idle ones round-robin.
    const chunk: Target[] = [];
    const chosen = new Set<number>();
    const take = (t: Target | undefined) => {
      if (!t || t.goneAt !== null || hotKeys.has(t.keyId) || chosen.has(t.keyId)) return;
      chosen.add(t.keyId);
      chunk.push(t);
    };
    const pending = this.pendingFull.splice(0, this.o.newPerSweep);
    for (const k of pending) take(this.byKey.get(k));
    const cold = live.filter((t) => !hotKeys.has(t.keyId));
    const perSweep = Math.ceil(cold.length / this.o.refreshPeriodSweeps);
    for (let n = 0; n < perSweep && cold.length > 0; n++) {
      this.refreshCursor %= cold.length;
      take(cold[this.refreshCursor++]);
    }
    const keys = chunk.map((t) => t.keyId);
    if (keys.length !== this.refreshKeys.length || keys.some((k, j) => k !== this.refreshKeys[j])) {
      this.refreshKeys = keys;
      await samplers.refresh.setTargets(chunk.map((t) => this.sampleTarget(t)));
    }
  }

  // ---- the sweep ----------------------------------------------------------------------------

  private async sweep(): Promise<void> {
    const samplers = this.samplers;
    if (!samplers) return;
    const started = performance.now();
    const now = this.now();
    const changed = this.applyTargets(now);
    this.expireGone(now);
    const live = this.liveList;
    if (now - this.lastNamesMs > 30_000) {
      this.lastNamesMs = now;
      for (const t of this.targets.values()) {
        const identity = this.names.resolve(t.ref);
        if (JSON.stringify(identity) !== JSON.stringify(t.identity)) t.identityVersion++;
        t.identity = identity;
      }
    }
    await this.planSamplers(live, changed || this.sweeps === 0);

    const sampleStart = performance.now();
    const planMs = sampleStart - started;
    if (this.o.skipIdleSubtrees) await samplers.gates.read(this.monoMs);
    // Cold, hot and refresh sweeps in one job: one thread hand-off and one completion a tick.
    this.knownCpu.fill(NaN);
    this.skippedReads = 0;
    const coldParts = samplers.cold.parts(this.o.skipIdleSubtrees ? this.coldSkip : undefined);
    const hotParts = samplers.hot.parts();
    const batches = await sampleAll(
      [...coldParts.samplers, ...hotParts.samplers, samplers.refresh],
      [...coldParts.skips, ...hotParts.skips, undefined],
    );
    const cold = batches.slice(0, coldParts.samplers.length);
    const full = batches.slice(coldParts.samplers.length);
    const sampleEnd = performance.now();
    const sampleMs = sampleEnd - sampleStart;
    if (!this.running) return;
    const t = this.now();
    const seq = this.seq + 1;
    // The work after sampling is cut in a few pieces, so that no single one holds the event loop
    // (requests and streams wait behind it) for long on a host with many cgroups.
    let busyMs = 0;
    let mark = sampleEnd;
    const pause = async () => {
      busyMs += performance.now() - mark;
      await new Promise<void>((resolve) => setImmediate(resolve));
      mark = performance.now();
    };

    this.fullNow.fill(0);
    this.wrote.fill(0);
    for (const b of cold) this.applyCold(b);
    await pause();
    const oomKills = new Map<number, { oom: number; high: number }>();
    for (const b of full) this.applyFull(b, oomKills);
    for (const b of [...cold, ...full]) this.noteErrors(b);
    await pause();
    if (!this.running) return;

    const minute = minuteOf(t);
    if (this.acc.minute === -1) this.acc.reset(minute);
    else if (minute !== this.acc.minute) {
      this.flushMinute();
      this.acc.reset(minute);
    }

    this.seq = seq;
    this.ring.beginSweep(seq, t);
    const found: NewMonitorEvent[] = [];
    for (const tg of live) {
      const i = tg.index;
      if (!this.wrote[i]) continue;
      if (tg.slot !== null) this.ring.write(tg.slot, this.series, i * SERIES_COUNT);
      this.acc.add(i, this.series, i * SERIES_COUNT);
      if (this.fullNow[i]) found.push(...this.detect(tg, t, oomKills.get(i)));
    }
    this.ring.endSweep();
    if (found.length > 0) this.events.add(found);
    this.topCache = null;
    await pause();

    const delta = this.topDelta(live, changed);
    this.sweepChannel.publish({ seq, t });
    if (this.topChannel.subscriberCount > 0) {
      this.topChannel.publish({ seq, json: encodeTopFrame({ seq, t, intervalMs: this.intervalMs, full: false, rows: delta.rows, removed: delta.removed }) });
    }
    this.sweeps++;
    const end = performance.now();
    this.lastSweep = { seq, at: t, durationMs: end - started, sampleMs, planMs, processMs: busyMs + (end - mark) };
    this.sweepHistory.push(this.lastSweep);
    if (this.sweepHistory.length > Math.max(1, Math.round(60_000 / this.intervalMs))) this.sweepHistory.shift();
    if (t - this.lastPruneMs > 3600_000) this.prune(t);
  }

  /** The cold sweep's skip mask of one target: its CPU read is left out when cpuGates knows the value. */
  private readonly coldSkip = (key: number): number => {
    const t = this.byKey.get(key);
    const gates = this.samplers?.gates;
    if (!t || !gates) return 0;
    const i = t.index;
    // Its own read in the gate job (a gate or a witness), or (its parent's rise is all its
    // witnesses') the value already known, as of the parent's read.
    const own = gates.ownRead(key);
    const parent = own ? null : this.coldHas[i] ? gates.parentAccounts(key, this.coldSince[i] ?? 0) : null;
    const known = own ?? parent;
    if (!known) return 0;
    this.knownCpu[i] = own ? own.cpu : (this.coldCpu[i] ?? 0);
    this.knownCpuMs[i] = known.ms;
    this.skippedReads++;
    return CPU_BIT;
  };

  private applyCold(b: SampleBatch): void {
    const pidsBit = fieldBit(Field.pidsCurrent);
    const ms = this.monoMs(b);
    const gateSweep = this.samplers?.gates.sweep ?? 0;
    for (let r = 0; r < b.keys.length; r++) {
      const tg = this.byKey.get(b.keys[r] ?? -1);
      if (!tg || tg.goneAt !== null) continue;
      const i = tg.index;
      if (b.vanished[r]) {
        this.recheck(tg);
        this.coldHas[i] = 0;
        continue;
      }
      const present = b.present[r] ?? 0;
      const base = i * SERIES_COUNT;
      let active = false;
      // The usage and when it held: this read's, or what coldSkip knew without reading.
      let cpu = NaN;
      let cpuMs = ms;
      if (present & CPU_BIT) {
        cpu = Number(b.values[r * FIELD_COUNT + Field.cpuUsageUsec] ?? 0n);
      } else if (!Number.isNaN(this.knownCpu[i] ?? NaN)) {
        cpu = this.knownCpu[i] ?? NaN;
        cpuMs = this.knownCpuMs[i] ?? ms;
      }
      if (!Number.isNaN(cpu)) {
        const cores = this.coldHas[i] ? cpuCores(this.coldCpu[i] ?? 0, cpu, (cpuMs - (this.coldMs[i] ?? 0)) / 1000) : NaN;
        this.series[base + S.cpuCores] = cores;
        // Unknown (first read, counter reset) is not activity: a new cgroup starts cold.
        active = cores > 0;
        this.coldCpu[i] = cpu;
        this.coldSince[i] = gateSweep;
      } else {
        this.series[base + S.cpuCores] = NaN;
      }
      if (present & pidsBit) {
        const pids = Number(b.values[r * FIELD_COUNT + Field.pidsCurrent] ?? 0n);
        if (this.coldHas[i] && pids !== this.coldPids[i]) active = true;
        this.series[base + S.pids] = pids;
        this.coldPids[i] = pids;
      } else {
        this.series[base + S.pids] = NaN;
      }
      this.idle[i] = active ? 0 : Math.min(65535, (this.idle[i] ?? 0) + 1);
      this.coldMs[i] = cpuMs;
      this.coldHas[i] = 1;
      this.wrote[i] = 1;
    }
  }

  private applyFull(b: SampleBatch, deltas: Map<number, { oom: number; high: number }>): void {
    const ms = this.monoMs(b);
    const cur: RawRow = { values: this.tmpRow, offset: 0, present: 0 };
    const zeroRow: RawRow = { values: new Float64Array(FIELD_COUNT), offset: 0, present: ALL_FIELDS };
    for (let r = 0; r < b.keys.length; r++) {
      const tg = this.byKey.get(b.keys[r] ?? -1);
      if (!tg || tg.goneAt !== null || b.vanished[r]) continue;
      const i = tg.index;
      copyBatchRow(b.values, r, this.tmpRow, 0);
      cur.present = b.present[r] ?? 0;
      const prev: RawRow = this.fullHas[i] ? { values: this.full, offset: i * FIELD_COUNT, present: this.fullPresent[i] ?? 0 } : cur;
      const dtSec = this.fullHas[i] ? (ms - (this.fullMs[i] ?? 0)) / 1000 : 0;
      // The cold sampler's cpuCores and pids stay: they are read every sweep.
      const keepCpu = this.series[i * SERIES_COUNT + S.cpuCores] ?? NaN;
      const keepPids = this.series[i * SERIES_COUNT + S.pids] ?? NaN;
      deriveFull(prev, cur, dtSec, this.series, i * SERIES_COUNT, this.extras, i * EXTRAS_COUNT);
      this.series[i * SERIES_COUNT + S.cpuCores] = keepCpu;
      this.series[i * SERIES_COUNT + S.pids] = keepPids;
      // A cgroup made while we watched may have had its first OOM before its first full read.
      const base = this.fullHas[i] ? prev : tg.fresh ? zeroRow : null;
      if (base) {
        const oom = counterDelta(base, cur, Field.memoryEventsOomKill);
        const high = counterDelta(base, cur, Field.memoryEventsHigh);
        if (oom > 0 || high > 0) deltas.set(i, { oom, high });
      }
      tg.fresh = false;
      this.full.set(this.tmpRow, i * FIELD_COUNT);
      this.fullPresent[i] = cur.present;
      this.fullMs[i] = ms;
      this.fullHas[i] = 1;
      this.fullNow[i] = 1;
      this.wrote[i] = 1;
    }
  }

  private recheck(tg: Target): void {
    if (!this.discovery) return;
    // The sampler only says "a directory of it is gone": let discovery look at each again.
    for (const h of this.hierarchies) {
      const p = tg.managedPath !== null ? (tg.managedPath === '' ? h.managedRoot : `${h.managedRoot}/${tg.managedPath}`) : tg.path;
      if (this.discovery.paths.get(h.id)?.has(p)) this.discovery.recheck(h, p);
    }
  }

  private noteErrors(b: SampleBatch): void {
    for (const e of b.errors) {
      this.sampleErrors++;
      const k = `${e.file} ${e.code}`;
      if (this.loggedErrors.size < 100 && !this.loggedErrors.has(k)) {
        this.loggedErrors.add(k);
        this.o.log?.(`monitor: ${e.file}: ${e.code} ${e.message}`);
      }
    }
  }

  private detect(tg: Target, at: number, d: { oom: number; high: number } | undefined): NewMonitorEvent[] {
    let det = this.detectors.get(tg.index);
    if (!det) {
      det = new CgroupDetector(this.detectorOptions);
      this.detectors.set(tg.index, det);
    }
    const base = tg.index * SERIES_COUNT;
    const lim = this.limits.get(tg.ref);
    const v = (s: number) => this.series[base + s] ?? NaN;
    return det
      .update({
        atMs: at,
        cpuThrottledPct: v(S.cpuThrottledPct),
        cpuQuotaCores: lim?.cpuQuotaCores ?? null,
        memoryBytes: v(S.memoryBytes),
        memoryMaxBytes: lim?.memoryMaxBytes ?? null,
        memoryHighBytes: lim?.memoryHighBytes ?? null,
        psiCpuSomePct: v(S.psiCpuSomePct),
        psiMemorySomePct: v(S.psiMemorySomePct),
        psiIoSomePct: v(S.psiIoSomePct),
        oomKills: d?.oom ?? 0,
        memoryHighEvents: d?.high ?? 0,
      })
      .map((f) => ({ at, ...f, ref: tg.ref, name: tg.identity.name ?? null, actor: null }));
  }

  private expireGone(now: number): void {
    if (this.liveList.length === this.targets.size) return;
    for (const t of [...this.targets.values()]) if (t.goneAt !== null && now - t.goneAt > GONE_KEEP_MS) this.dropTarget(t);
  }

  private flushMinute(): void {
    if (this.acc.minute < 0) return;
    const rows: { keyId: number; blob: Float32Array }[] = [];
    const seen: number[] = [];
    for (const t of this.targets.values()) {
      if (!this.acc.hasData(t.index)) continue;
      rows.push({ keyId: t.keyId, blob: this.acc.blob(t.index) });
      seen.push(t.keyId);
    }
    try {
      this.rollups.writeMinute(this.acc.minute, rows);
      this.keys.markSeen(seen);
    } catch (err) {
      this.o.log?.(`monitor: writing rollups failed: ${(err as Error).message}`);
    }
  }

  private prune(now: number): void {
    this.lastPruneMs = now;
    try {
      this.rollups.prune(minuteOf(now - ROLLUP_RETENTION_MS));
      this.keys.pruneUnseen(now - ROLLUP_RETENTION_MS);
      this.events.prune();
    } catch (err) {
      this.o.log?.(`monitor: pruning failed: ${(err as Error).message}`);
    }
  }

  private rollLagWindow(): void {
    if (!this.lag) return;
    const now = Date.now();
    this.lastLagWindow = this.lagFigures(this.lagWindowStart, now);
    this.lag.reset();
    this.lagWindowStart = now;
  }

  private lagFigures(fromMs: number, toMs: number): LagFigures {
    const h = this.lag;
    // The histogram records the time between the timer's runs, resolution included: an idle loop
    // shows ~LAG_RESOLUTION_MS. The delay the loop added is what is above it.
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, Math.round((ns / 1e6 - LAG_RESOLUTION_MS) * 100) / 100) : 0);
    return { p50Ms: h ? ms(h.percentile(50)) : 0, p99Ms: h ? ms(h.percentile(99)) : 0, maxMs: h ? ms(h.max) : 0, fromMs, toMs };
  }

  // ---- lookups --------------------------------------------------------------------------------

  /** A target by API ref: as the monitor keys it, or by absolute path, or normalised. */
  private find(ref: string): Target | undefined {
    const direct = this.targets.get(ref) ?? this.byPath.get(ref);
    if (direct) return direct;
    try {
      const p = parseRef(ref);
      return this.targets.get(p.text) ?? this.byPath.get(p.text);
    } catch {
      return undefined;
    }
  }

  /** The monitor's own spelling of a ref (what events and rollups are stored under). */
  canonicalRef(ref: string): string {
    return this.find(ref)?.ref ?? ref;
  }

  /** Keep these cgroups fully sampled while someone watches them. */
  private pin(refs: readonly string[]): () => void {
    const keys = refs.map((r) => this.canonicalRef(r));
    for (const k of keys) this.pins.set(k, (this.pins.get(k) ?? 0) + 1);
    this.limits.setWatched(this.pins.keys());
    return () => {
      for (const k of keys) {
        const n = (this.pins.get(k) ?? 1) - 1;
        if (n <= 0) this.pins.delete(k);
        else this.pins.set(k, n);
      }
      this.limits.setWatched(this.pins.keys());
    };
  }

  // ---- API ----------------------------------------------------------------------------------

  status(): MonitorStatus {
    let gone = 0;
    for (const t of this.targets.values()) if (t.goneAt !== null) gone++;
    const hist = this.sweepHistory;
    const avg = (f: (s: NonNullable<MonitorStatus['lastSweep']>) => number) => (hist.length ? hist.reduce((a, s) => a + f(s), 0) / hist.length : 0);
    return {
      running: this.running,
      sampler: this.samplers ? { kind: this.samplers.refresh.kind, reason: this.samplers.refresh.reason } : null,
      intervalMs: this.intervalMs,
      runId: this.runId,
      sweeps: this.sweeps,
      lastSweep: this.lastSweep,
      avgSweepMs: avg((s) => s.durationMs),
      avgPlanMs: avg((s) => s.planMs),
      avgProcessMs: avg((s) => s.processMs),
      targets: this.targets.size - gone,
      hot: this.hotKeys.size,
      cpuGates: { gates: this.samplers?.gates.count ?? 0, witnesses: this.samplers?.gates.witnessCount ?? 0, skippedReads: this.skippedReads },
      gone,
      ring: { slots: this.ring.slotsInUse, maxSlots: this.ring.maxSlots, bytes: this.ring.bytes, spanMs: RING_SPAN_MS },
      discovery: this.discovery?.status() ?? null,
      limits: { known: [...this.targets.keys()].filter((r) => this.limits.get(r)).length, reads: this.limits.reads },
      subscribers: { live: this.sweepChannel.subscriberCount, top: this.topChannel.subscriberCount, events: this.events.channel.subscriberCount },
      sampleErrors: this.sampleErrors,
      eventLoop: { current: this.lagFigures(this.lagWindowStart, Date.now()), lastWindow: this.lastLagWindow },
    };
  }

  /** Parse "<runId>:<seq>"; ids of another run (before a restart) resume nothing. */
  private seqOf(lastEventId: string | null | undefined): number | null {
    if (!lastEventId) return null;
    const m = /^([0-9a-f]+):(\d+)$/.exec(lastEventId);
    if (!m || m[1] !== this.runId) return null;
    return Number(m[2]);
  }

  eventId(seq: number): string {
    return `${this.runId}:${seq}`;
  }

  history(refs: readonly string[], window: HistoryWindow): HistoryResult {
    const windowMs = WINDOWS[window];
    const now = this.now();
    if (windowMs <= RING_SPAN_MS) {
      const bucketMs = bucketMsFor(windowMs, this.intervalMs);
      const head = this.ring.headSeq;
      const from = this.ring.seqAtOrAfter(now - windowMs);
      const out = refs.map((ref) => {
        const tg = this.find(ref);
        if (tg && !this.limits.get(tg.ref)) void this.limits.invalidate(tg.ref);
        const slot = tg?.slot ?? null;
        const count = slot !== null && head >= from ? head - from + 1 : 0;
        const vals = new Float32Array(count * SERIES_COUNT);
        for (let k = 0; k < count && slot !== null; k++) this.ring.read(slot, from + k, vals, k * SERIES_COUNT);
        const b = bucketize(count, SERIES_COUNT, (k) => this.ring.timeOf(from + k), (k, s) => vals[k * SERIES_COUNT + s] ?? NaN, bucketMs, Math.max(bucketMs, this.intervalMs) * 2.5);
        return this.historySeries(ref, tg, b.t, b.avg, null);
      });
      return { window, windowMs, bucketMs, source: 'memory', lastEventId: head >= 0 ? this.eventId(head) : null, intervalMs: this.intervalMs, refs: out };
    }
    const bucketMs = bucketMsFor(windowMs, ROLLUP_MS);
    const fromMinute = minuteOf(now - windowMs);
    const toMinute = minuteOf(now) + 1;
    const out = refs.map((ref) => {
      const tg = this.find(ref);
      const keyId = tg?.keyId ?? this.keys.find(ref);
      const rows = keyId === undefined ? [] : this.rollups.read(keyId, fromMinute, toMinute);
      if (tg && this.acc.minute >= fromMinute && this.acc.hasData(tg.index) && rows.at(-1)?.minute !== this.acc.minute) {
        const blob = this.acc.blob(tg.index);
        rows.push({ minute: this.acc.minute, avg: blob.subarray(0, SERIES_COUNT), max: blob.subarray(SERIES_COUNT) });
      }
      const at = (k: number) => (rows[k]?.minute ?? 0) * ROLLUP_MS;
      const gap = Math.max(bucketMs, ROLLUP_MS) * 2.5;
      const avg = bucketize(rows.length, SERIES_COUNT, at, (k, s) => rows[k]?.avg[s] ?? NaN, bucketMs, gap);
      const max = bucketize(rows.length, SERIES_COUNT, at, (k, s) => rows[k]?.max[s] ?? NaN, bucketMs, gap);
      return this.historySeries(ref, tg, avg.t, avg.avg, max.max, keyId !== undefined);
    });
    return { window, windowMs, bucketMs, source: 'rollups', lastEventId: null, intervalMs: this.intervalMs, refs: out };
  }

  private historySeries(ref: string, tg: Target | undefined, t: number[], avg: (number | null)[][], max: (number | null)[][] | null, known = tg !== undefined): HistorySeries {
    const bySeries = (cols: (number | null)[][]) => Object.fromEntries(SERIES_IDS.map((id, s) => [id, cols[s] ?? []])) as Record<SeriesId, (number | null)[]>;
    return {
      ref,
      known,
      path: tg?.path ?? null,
      t,
      series: bySeries(avg),
      max: max ? bySeries(max) : null,
      limits: tg ? this.limits.get(tg.ref) : null,
    };
  }

  private frame(refs: readonly string[], seq: number, t: number): LiveFrame {
    const values: LiveFrame['values'] = {};
    for (const ref of refs) {
      const tg = this.find(ref);
      if (!tg) {
        values[ref] = null;
        continue;
      }
      if (tg.slot !== null) {
        this.ring.read(tg.slot, seq, this.tmpSeries);
        values[ref] = seriesArray(this.tmpSeries);
      } else {
        values[ref] = seq === this.ring.headSeq ? seriesArray(this.series, tg.index * SERIES_COUNT) : null;
      }
    }
    return { seq, t, values };
  }

  /**
   * Each sweep's values for `refs`, resuming after `lastEventId` (a live frame id or a
   * history's `lastEventId`) from the 15-minute ring without gap or duplicate.
   */
  async *live(refs: readonly string[], lastEventId: string | null | undefined, signal?: AbortSignal): AsyncGenerator<{ id: string; frame: LiveFrame }, void, undefined> {
    const unpin = this.pin(refs);
    try {
      const after = this.seqOf(lastEventId);
      const stream = resumable({
        channel: this.sweepChannel,
        maxQueue: 8,
        backlog: (afterSeq) => {
          if (afterSeq === null) return [];
          const head = this.ring.headSeq;
          const items: { seq: number; t: number }[] = [];
          for (let s = Math.max(afterSeq + 1, this.ring.oldestSeq); s <= head; s++) items.push({ seq: s, t: this.ring.timeOf(s) });
          return items;
        },
        idOf: (n) => n.seq,
        afterId: after,
        signal,
      });
      for await (const n of stream) {
        if (!this.ring.has(n.seq)) continue;
        yield { id: this.eventId(n.seq), frame: this.frame(refs, n.seq, n.t) };
      }
    } finally {
      unpin();
    }
  }

  /** One cgroup's top row, numbers rounded as shown (so that noise below that does not count as change). */
  private topRow(t: Target): TopRow {
    const base = t.index * SERIES_COUNT;
    const lim = this.limits.get(t.ref);
    const v = (s: number, digits: number) => {
      const x = this.series[base + s] ?? NaN;
      return Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;
    };
    return {
      ref: t.ref,
      path: t.path,
      name: t.identity.name ?? null,
      kind: t.identity.kind ?? null,
      tenant: t.identity.tenant ?? null,
      cpuCores: v(S.cpuCores, 4),
      memoryBytes: v(S.memoryBytes, 0),
      ioReadBytesPerSec: v(S.ioReadBytesPerSec, 0),
      ioWriteBytesPerSec: v(S.ioWriteBytesPerSec, 0),
      pids: v(S.pids, 0),
      cpuThrottledPct: v(S.cpuThrottledPct, 1),
      psiCpuSomePct: v(S.psiCpuSomePct, 1),
      psiMemorySomePct: v(S.psiMemorySomePct, 1),
      psiIoSomePct: v(S.psiIoSomePct, 1),
      memoryMaxBytes: lim?.memoryMaxBytes ?? null,
      cpuQuotaCores: lim?.cpuQuotaCores ?? null,
    };
  }

  /** The numeric columns of a top row, rounded as topRow rounds them (NaN = null), into `out`. */
  private topNumbersOf(t: Target, out: Float64Array): void {
    const base = t.index * SERIES_COUNT;
    const lim = this.limits.get(t.ref);
    const r = (s: number, digits: number) => {
      const x = this.series[base + s] ?? NaN;
      return Number.isNaN(x) ? NaN : Math.round(x * 10 ** digits) / 10 ** digits;
    };
    out[0] = r(S.cpuCores, 4);
    out[1] = r(S.memoryBytes, 0);
    out[2] = r(S.ioReadBytesPerSec, 0);
    out[3] = r(S.ioWriteBytesPerSec, 0);
    out[4] = r(S.pids, 0);
    out[5] = r(S.cpuThrottledPct, 1);
    out[6] = r(S.psiCpuSomePct, 1);
    out[7] = r(S.psiMemorySomePct, 1);
    out[8] = r(S.psiIoSomePct, 1);
    out[9] = lim?.memoryMaxBytes ?? NaN;
    out[10] = lim?.cpuQuotaCores ?? NaN;
  }

  /** Every existing cgroup's latest values. */
  topRows(): TopRow[] {
    return this.liveList.map((t) => this.topRow(t));
  }

  /** The rows that changed since the previous sweep, and the refs that are gone. */
  private topDelta(live: readonly Target[], targetsChanged: boolean): { rows: TopRow[]; removed: string[] } {
    const rows: TopRow[] = [];
    const n = TOP_NUMBERS.length;
    const vals = this.topNumbers;
    for (const t of live) {
      this.topNumbersOf(t, vals);
      const base = t.index * n;
      let changed = t.identityVersion !== this.topIdentity[t.index];
      for (let k = 0; k < n && !changed; k++) changed = !Object.is(vals[k], this.topSent[base + k]);
      if (!changed) continue;
      this.topSent.set(vals, base);
      this.topIdentity[t.index] = t.identityVersion;
      rows.push(this.topRow(t));
    }
    const removed: string[] = [];
    if (targetsChanged) {
      const now = new Set(live.map((t) => t.ref));
      for (const r of this.topRefs) if (!now.has(r)) removed.push(r);
      this.topRefs = now;
    }
    return { rows, removed };
  }

  /**
   * The full top frame of the latest sweep as JSON text, made once per sweep and shared: with a
   * thousand cgroups, serialising it per subscriber (superjson walks every value) would cost more
   * than the sweep itself.
   */
  topJson(): string {
    if (this.topCache && this.topCache.seq === this.seq) return this.topCache.json;
    const json = encodeTopFrame({ seq: this.seq, t: this.ring.timeOf(this.seq) || this.now(), intervalMs: this.intervalMs, full: true, rows: this.topRows() });
    this.topCache = { seq: this.seq, json };
    return json;
  }

  /**
   * A full frame, then each sweep's delta; a subscriber that fell behind (its queue overflowed)
   * gets a full frame again instead of the deltas it missed.
   */
  async *top(signal?: AbortSignal): AsyncGenerator<string, void, undefined> {
    const sub = this.topChannel.subscribe({ maxQueue: 4 });
    try {
      let lastSeq = -1;
      if (this.seq >= 0) {
        yield this.topJson();
        lastSeq = this.seq;
      }
      let skipped = 0;
      for (;;) {
        const item = await sub.next(signal);
        if (item === null) return;
        if (sub.skipped !== skipped || lastSeq < 0) {
          skipped = sub.skipped;
          yield this.topJson();
          lastSeq = this.seq;
          continue;
        }
        if (item.seq <= lastSeq) continue;
        lastSeq = item.seq;
        yield item.json;
      }
    } finally {
      sub.close();
    }
  }

  listEvents(filter: EventFilter, limit: number, beforeId: number | null) {
    const f = filter.ref !== undefined && filter.ref !== '' && !filter.ref.endsWith('/') ? { ...filter, ref: this.canonicalRef(filter.ref) } : filter;
    return this.events.list(f, limit, beforeId);
  }

  streamEvents(filter: EventFilter, lastEventId: string | null | undefined, signal?: AbortSignal) {
    const f = filter.ref !== undefined && filter.ref !== '' && !filter.ref.endsWith('/') ? { ...filter, ref: this.canonicalRef(filter.ref) } : filter;
    const after = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    return this.events.stream(f, after, signal);
  }

  /** An admin changed limits through the API: read them now, and say who did it. */
  recordLimitsChanged(ref: string, actor: string | null, patch: LimitsPatch): MonitorEvent | undefined {
    const tg = this.find(ref);
    const canonical = tg?.ref ?? ref;
    void this.limits.invalidate(canonical);
    const what = describePatch(patch);
    return this.events.add([
      {
        at: this.now(),
        type: 'limits_changed',
        severity: 'info',
        ref: canonical,
        name: tg?.identity.name ?? null,
        message: `limits changed${actor ? ` by ${actor}` : ''}: ${what || 'nothing'}`,
        details: Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? null : Array.isArray(v) ? `${v.length} device(s)` : String(v)])),
        actor,
      },
    ])[0];
  }

  /** The limits the charts draw as lines (read at once when not known yet). */
  limitsOf(ref: string): CgroupLimitsView | null {
    const tg = this.find(ref);
    if (!tg) return null;
    const known = this.limits.get(tg.ref);
    if (!known) void this.limits.invalidate(tg.ref);
    return known;
  }

  /** Everything /metrics needs, for every existing cgroup. */
  metricsSnapshot(): MetricsCgroup[] {
    const out: MetricsCgroup[] = [];
    for (const t of this.targets.values()) {
      if (t.goneAt !== null || (!this.fullHas[t.index] && !this.coldHas[t.index])) continue;
      const i = t.index;
      const raw = this.full.slice(i * FIELD_COUNT, (i + 1) * FIELD_COUNT);
      let present = this.fullHas[i] ? (this.fullPresent[i] ?? 0) : 0;
      // The cold sampler's figures are newer than the last full read.
      if (this.coldHas[i]) {
        raw[Field.cpuUsageUsec] = this.coldCpu[i] ?? 0;
        raw[Field.pidsCurrent] = this.coldPids[i] ?? 0;
        present |= fieldBit(Field.cpuUsageUsec) | fieldBit(Field.pidsCurrent);
      }
      out.push({ ref: t.ref, path: t.path, identity: t.identity, raw, present, limits: this.limits.get(t.ref), lastSeenMs: this.lastSweep?.at ?? this.now() });
    }
    return out;
  }

  diagnose(ref: string): DiagnoseResult {
    const tg = this.find(ref);
    const since = this.now() - 3600_000;
    const events = tg ? this.events.list({ ref: tg.ref, since }, 50).events.filter((e) => e.type !== 'cgroup_appeared') : [];
    if (!tg) {
      return { ref, path: null, name: null, at: null, values: null, extras: null, limits: null, counters: { oomKills: null, memoryMaxEvents: null, throttledPeriods: null, periods: null }, findings: [], events };
    }
    const i = tg.index;
    const row = (arr: Float32Array | Float64Array, base: number, ids: readonly string[]) =>
      Object.fromEntries(ids.map((id, k) => [id, Number.isNaN(arr[base + k] ?? NaN) ? null : (arr[base + k] ?? null)]));
    const values = row(this.series, i * SERIES_COUNT, SERIES_IDS) as Record<SeriesId, number | null>;
    const extras = row(this.extras, i * EXTRAS_COUNT, EXTRAS.map((e) => e.id)) as DiagnoseResult['extras'] & object;
    const rawOf = (f: number) => (this.fullHas[i] && (this.fullPresent[i] ?? 0) & fieldBit(f) ? (this.full[i * FIELD_COUNT + f] ?? null) : null);
    const limits = this.limits.get(tg.ref);
    if (!limits) void this.limits.invalidate(tg.ref);
    const counters = {
      oomKills: rawOf(Field.memoryEventsOomKill),
      memoryMaxEvents: rawOf(Field.memoryEventsMax),
      throttledPeriods: rawOf(Field.cpuNrThrottled),
      periods: rawOf(Field.cpuNrPeriods),
    };
    return {
      ref: tg.ref,
      path: tg.path,
      name: tg.identity.name ?? null,
      at: this.lastSweep?.at ?? null,
      values,
      extras,
      limits,
      counters,
      findings: findings(values, extras, limits, events),
      events,
    };
  }
}

function describePatch(patch: LimitsPatch): string {
  return Object.entries(patch)
    .map(([k, v]) => `${k}=${v === null ? 'none' : Array.isArray(v) ? `${v.length} device(s)` : String(v)}`)
    .join(', ');
}

