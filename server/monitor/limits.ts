/**
 * The limits of every monitored cgroup, for chart lines, Prometheus spec metrics and "near max"
 * events. Reading limits costs far more than sampling (`cgroups.readLimits` opens every limit
 * file of every hierarchy: ~1 ms of CPU a cgroup on a hybrid host, against ~10 µs a sweep), so
 * they are refreshed in the background within a CPU budget: cgroups never read first (the ones
 * someone is watching before the rest), then the one read longest ago. A change made through the
 * API is read at once (`invalidate`).
 */
import type { Limits } from '@/server/cgroup';

export interface CgroupLimitsView {
  /** cpu.max quota / period in CPUs; null = no quota. */
  cpuQuotaCores: number | null;
  cpuQuotaUs: number | null;
  cpuPeriodUs: number | null;
  /** v1 cpu.shares; on v2 converted back from cpu.weight as cAdvisor does. */
  cpuShares: number | null;
  memoryMaxBytes: number | null;
  memoryHighBytes: number | null;
  swapMaxBytes: number | null;
  pidsMax: number | null;
  /** Epoch ms of the read. */
  readAt: number;
}

/** cpu.weight (1..10000) back to cpu.shares (2..262144), the inverse of the runc formula. */
export function weightToShares(weight: number): number {
  return Math.round(2 + ((weight - 1) * 262142) / 9999);
}

export function limitsView(l: Limits, readAt: number): CgroupLimitsView {
  const quotaUs = l.cpu?.maxQuotaUs ?? null;
  const periodUs = l.cpu?.maxPeriodUs ?? null;
  const num = (v: bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    cpuQuotaCores: quotaUs !== null && periodUs ? quotaUs / periodUs : null,
    cpuQuotaUs: quotaUs,
    cpuPeriodUs: periodUs,
    cpuShares: l.cpu?.weight !== null && l.cpu?.weight !== undefined ? weightToShares(l.cpu.weight) : null,
    memoryMaxBytes: num(l.memory?.max),
    memoryHighBytes: num(l.memory?.high),
    swapMaxBytes: num(l.memory?.swapMax),
    pidsMax: l.pids?.max ?? null,
    readAt,
  };
}

export interface LimitsCacheOptions {
  read: (ref: string) => Promise<Limits>;
  /** Share of wall time spent reading while some cgroup was never read. */
  fillShare?: number;
  /** Share of wall time spent re-reading once every cgroup was read. */
  steadyShare?: number;
  /** Do not re-read a cgroup more often than this. */
  minAgeMs?: number;
  now?: () => number;
  onError?: (ref: string, err: unknown) => void;
}

export class LimitsCache {
  private readonly byRef = new Map<string, CgroupLimitsView>();
  private readonly refs = new Set<string>();
  private readonly urgent = new Set<string>();
  private readonly watched = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy = false;
  private readonly o: Required<Omit<LimitsCacheOptions, 'onError'>> & Pick<LimitsCacheOptions, 'onError'>;
  /** How long the last reads took (ms), for the budget. */
  private avgReadMs = 10;
  reads = 0;

  constructor(options: LimitsCacheOptions) {
    this.o = { fillShare: 0.01, steadyShare: 0.003, minAgeMs: 30_000, now: Date.now, ...options };
  }

  get(ref: string): CgroupLimitsView | null {
    return this.byRef.get(ref) ?? null;
  }

  /** The cgroups to keep limits for. */
  setRefs(refs: Iterable<string>): void {
    const next = new Set(refs);
    for (const r of this.refs) if (!next.has(r)) {
      this.refs.delete(r);
      this.byRef.delete(r);
      this.urgent.delete(r);
    }
    for (const r of next) this.refs.add(r);
  }

  /** Cgroups someone looks at: read before the others. */
  setWatched(refs: Iterable<string>): void {
    this.watched.clear();
    for (const r of refs) this.watched.add(r);
  }

  /** Read this cgroup's limits now (they were changed); resolves once read. */
  invalidate(ref: string): Promise<void> {
    this.urgent.add(ref);
    const done = new Promise<void>((resolve) => this.waiters.set(ref, [...(this.waiters.get(ref) ?? []), resolve]));
    this.schedule(0);
    return done;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The next cgroup to read, or null when everything is fresh enough. */
  pickNext(): { ref: string; urgent: boolean } | null {
    for (const r of this.urgent) return { ref: r, urgent: true };
    let oldest: string | null = null;
    let oldestAt = Infinity;
    for (const r of this.watched) {
      if (this.refs.has(r) && !this.byRef.has(r)) return { ref: r, urgent: false };
    }
    for (const r of this.refs) {
      const v = this.byRef.get(r);
      if (!v) return { ref: r, urgent: false };
      if (v.readAt < oldestAt) {
        oldestAt = v.readAt;
        oldest = r;
      }
    }
    if (oldest !== null && this.o.now() - oldestAt >= this.o.minAgeMs) return { ref: oldest, urgent: false };
    return null;
  }

  private get unread(): boolean {
    for (const r of this.refs) if (!this.byRef.has(r)) return true;
    return false;
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.busy) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.step(), delayMs);
    this.timer.unref();
  }

  /** Read one cgroup; public for tests. */
  async step(): Promise<void> {
    this.timer = null;
    const next = this.pickNext();
    if (!next) {
      this.schedule(1000);
      return;
    }
    this.busy = true;
    const started = performance.now();
    try {
      const limits = await this.o.read(next.ref);
      if (this.refs.has(next.ref) || next.urgent) this.byRef.set(next.ref, limitsView(limits, this.o.now()));
    } catch (err) {
      // A cgroup that vanished is dropped with the next target set; keep it from being retried at once.
      const prev = this.byRef.get(next.ref);
      if (this.refs.has(next.ref)) this.byRef.set(next.ref, { ...(prev ?? emptyView()), readAt: this.o.now() });
      this.o.onError?.(next.ref, err);
    } finally {
      this.busy = false;
      this.reads++;
      this.urgent.delete(next.ref);
      for (const w of this.waiters.get(next.ref) ?? []) w();
      this.waiters.delete(next.ref);
    }
    const tookMs = performance.now() - started;
    this.avgReadMs = this.avgReadMs * 0.8 + tookMs * 0.2;
    const share = this.unread ? this.o.fillShare : this.o.steadyShare;
    this.schedule(this.urgent.size > 0 ? 0 : this.avgReadMs / share);
  }
}

function emptyView(): CgroupLimitsView {
  return { cpuQuotaCores: null, cpuQuotaUs: null, cpuPeriodUs: null, cpuShares: null, memoryMaxBytes: null, memoryHighBytes: null, swapMaxBytes: null, pidsMax: null, readAt: 0 };
}
