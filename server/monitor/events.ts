/**
 * Events worth a person's attention, found in the sweeps: OOM kills, the start of CPU throttling,
 * memory at `high` or near `max`, pressure stalls, cgroups appearing and vanishing, limits changed.
 *
 * Conditions that last (throttling, pressure, memory near max) are debounced into episodes: an
 * episode starts when the condition holds for `riseSweeps` sweeps in a row and is reported once;
 * the next one can only start after the condition has been off for `rearmMs`. A flapping
 * condition is one episode, not an event per sweep.
 */

export const EVENT_TYPES = [
  'oom_kill',
  'cpu_throttled',
  'memory_high',
  'memory_near_max',
  'psi_high',
  'cgroup_appeared',
  'cgroup_vanished',
  'limits_changed',
] as const;
export type MonitorEventType = (typeof EVENT_TYPES)[number];

export type EventSeverity = 'info' | 'warning' | 'critical';

export interface MonitorEvent {
  id: number;
  /** Epoch ms. */
  at: number;
  type: MonitorEventType;
  severity: EventSeverity;
  /** The cgroup ref (relative to the managed root, or an absolute path). */
  ref: string;
  /** Container or tenant name when known. */
  name: string | null;
  message: string;
  details: Record<string, number | string | boolean | null> | null;
  /** Who caused it (limits_changed). */
  actor: string | null;
}

export type NewMonitorEvent = Omit<MonitorEvent, 'id'>;

export interface DetectorOptions {
  /** Share of CFS periods throttled (%) that counts as throttling. */
  throttledPct: number;
  throttleRiseSweeps: number;
  /** PSI "some" stall (%) that counts as pressure. */
  psiPct: number;
  psiRiseSweeps: number;
  /** memory.current / memory.max at or above which memory is "near max". */
  nearMaxRatio: number;
  /** Below this ratio the near-max condition is off (hysteresis). */
  nearMaxClearRatio: number;
  /** An episode's condition must stay off this long before a new episode can start. */
  rearmMs: number;
}

export const defaultDetectorOptions: DetectorOptions = {
  throttledPct: 10,
  throttleRiseSweeps: 2,
  psiPct: 20,
  psiRiseSweeps: 3,
  nearMaxRatio: 0.9,
  nearMaxClearRatio: 0.85,
  rearmMs: 60_000,
};

/** A debounced condition: `update` returns true once per episode, when it starts. */
export class Episode {
  private state: 'idle' | 'rising' | 'active' | 'clearing' = 'idle';
  private count = 0;
  private offSince = 0;

  constructor(
    private readonly riseSweeps: number,
    private readonly rearmMs: number,
  ) {}

  get active(): boolean {
    return this.state === 'active' || this.state === 'clearing';
  }

  update(on: boolean, atMs: number): boolean {
    switch (this.state) {
      case 'idle':
      case 'rising':
        if (!on) {
          this.state = 'idle';
          this.count = 0;
          return false;
        }
        this.count++;
        if (this.count >= this.riseSweeps) {
          this.state = 'active';
          return true;
        }
        this.state = 'rising';
        return false;
      case 'active':
        if (!on) {
          this.state = 'clearing';
          this.offSince = atMs;
        }
        return false;
      case 'clearing':
        if (on) this.state = 'active';
        else if (atMs - this.offSince >= this.rearmMs) {
          this.state = 'idle';
          this.count = 0;
        }
        return false;
    }
  }
}

/** What the detector looks at for one cgroup in one sweep; NaN/null where unknown. */
export interface Signals {
  atMs: number;
  cpuThrottledPct: number;
  cpuQuotaCores: number | null;
  memoryBytes: number;
  memoryMaxBytes: number | null;
  memoryHighBytes: number | null;
  psiCpuSomePct: number;
  psiMemorySomePct: number;
  psiIoSomePct: number;
  /** Growth of memory.events oom_kill (v1: oom_control oom_kill) since the previous full read. */
  oomKills: number;
  /** Growth of memory.events high since the previous full read (v2 only). */
  memoryHighEvents: number;
}

export interface Finding {
  type: MonitorEventType;
  severity: EventSeverity;
  message: string;
  details: Record<string, number | string | boolean | null>;
}

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
const mib = (b: number) => `${(b / 1048576).toFixed(b < 10 * 1048576 ? 1 : 0)} MiB`;

/** The debounced state of one cgroup. */
export class CgroupDetector {
  private readonly throttling: Episode;
  private readonly nearMax: Episode;
  private readonly high: Episode;
  private readonly psi: Record<'cpu' | 'memory' | 'io', Episode>;
  private nearMaxOn = false;

  constructor(private readonly o: DetectorOptions = defaultDetectorOptions) {
    this.throttling = new Episode(o.throttleRiseSweeps, o.rearmMs);
    this.nearMax = new Episode(1, o.rearmMs);
    this.high = new Episode(1, o.rearmMs);
    this.psi = { cpu: new Episode(o.psiRiseSweeps, o.rearmMs), memory: new Episode(o.psiRiseSweeps, o.rearmMs), io: new Episode(o.psiRiseSweeps, o.rearmMs) };
  }

  update(s: Signals): Finding[] {
    const out: Finding[] = [];
    if (s.oomKills > 0) {
      out.push({
        type: 'oom_kill',
        severity: 'critical',
        message: `${s.oomKills} process${s.oomKills === 1 ? '' : 'es'} killed by the OOM killer${s.memoryMaxBytes !== null ? ` (memory max ${mib(s.memoryMaxBytes)})` : ''}`,
        details: { count: s.oomKills, memoryBytes: finite(s.memoryBytes), memoryMaxBytes: s.memoryMaxBytes },
      });
    }
    if (this.throttling.update(s.cpuThrottledPct >= this.o.throttledPct, s.atMs)) {
      out.push({
        type: 'cpu_throttled',
        severity: 'warning',
        message: `CPU throttled in ${pct(s.cpuThrottledPct)} of periods${s.cpuQuotaCores !== null ? ` (quota ${Number(s.cpuQuotaCores.toFixed(2))} CPU)` : ''}`,
        details: { throttledPct: round(s.cpuThrottledPct), quotaCores: s.cpuQuotaCores },
      });
    }
    if (this.high.update(s.memoryHighEvents > 0, s.atMs)) {
      out.push({
        type: 'memory_high',
        severity: 'warning',
        message: `memory reached memory.high${s.memoryHighBytes !== null ? ` (${mib(s.memoryHighBytes)})` : ''}: the kernel throttles and reclaims`,
        details: { events: s.memoryHighEvents, memoryBytes: finite(s.memoryBytes), memoryHighBytes: s.memoryHighBytes },
      });
    }
    if (s.memoryMaxBytes !== null && s.memoryMaxBytes > 0 && Number.isFinite(s.memoryBytes)) {
      const ratio = s.memoryBytes / s.memoryMaxBytes;
      this.nearMaxOn = this.nearMaxOn ? ratio >= this.o.nearMaxClearRatio : ratio >= this.o.nearMaxRatio;
    } else {
      this.nearMaxOn = false;
    }
    if (this.nearMax.update(this.nearMaxOn, s.atMs) && s.memoryMaxBytes !== null) {
      out.push({
        type: 'memory_near_max',
        severity: 'warning',
        message: `memory at ${pct((s.memoryBytes / s.memoryMaxBytes) * 100)} of its max (${mib(s.memoryBytes)} of ${mib(s.memoryMaxBytes)})`,
        details: { memoryBytes: s.memoryBytes, memoryMaxBytes: s.memoryMaxBytes },
      });
    }
    for (const [resource, value] of [['cpu', s.psiCpuSomePct], ['memory', s.psiMemorySomePct], ['io', s.psiIoSomePct]] as const) {
      if (this.psi[resource].update(value >= this.o.psiPct, s.atMs)) {
        out.push({
          type: 'psi_high',
          severity: 'warning',
          message: `${resource} pressure: tasks stalled ${pct(value)} of the time`,
          details: { resource, somePct: round(value) },
        });
      }
    }
    return out;
  }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
