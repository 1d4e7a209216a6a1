import { listProcesses, type ProcfsOptions } from './list';
import type { ProcessInfo } from './process';
import { DEFAULT_CLOCK_TICKS_PER_SEC } from './process';

export interface ProcessSample extends ProcessInfo {
  /**
   * CPU use since the previous sample, in percent of one CPU (a process busy on two CPUs
   * shows 200, as in top). null on the first sample of a process.
   */
  cpuPercent: number | null;
}

interface Previous {
  startTimeTicks: number;
  cpuTicks: number;
  atMs: number;
}

export interface ProcessSamplerOptions extends ProcfsOptions {
  /** Monotonic clock in milliseconds; tests inject their own. */
  nowMs?: () => number;
}

/**
 * Lists processes and turns utime+stime into a CPU percentage by remembering the previous
 * reading of each process. A pid reused by a new process (different start time) starts over.
 */
export class ProcessSampler {
  private readonly previous = new Map<number, Previous>();
  private readonly options: ProcfsOptions;
  private readonly nowMs: () => number;
  private readonly ticksPerSec: number;

  constructor(options: ProcessSamplerOptions = {}) {
    const { nowMs, ...procfs } = options;
    this.options = procfs;
    this.nowMs = nowMs ?? (() => performance.now());
    this.ticksPerSec = options.clockTicksPerSec ?? DEFAULT_CLOCK_TICKS_PER_SEC;
  }

  async sample(): Promise<ProcessSample[]> {
    const processes = await listProcesses(this.options);
    const atMs = this.nowMs();
    const seen = new Set<number>();
    const samples = processes.map((p): ProcessSample => {
      seen.add(p.pid);
      const cpuTicks = p.utimeTicks + p.stimeTicks;
      const before = this.previous.get(p.pid);
      this.previous.set(p.pid, { startTimeTicks: p.startTimeTicks, cpuTicks, atMs });
      return { ...p, cpuPercent: before ? this.percent(before, cpuTicks, p.startTimeTicks, atMs) : null };
    });
    for (const pid of this.previous.keys()) if (!seen.has(pid)) this.previous.delete(pid);
    return samples;
  }

  private percent(before: Previous, cpuTicks: number, startTimeTicks: number, atMs: number): number | null {
    const elapsedMs = atMs - before.atMs;
    if (before.startTimeTicks !== startTimeTicks || elapsedMs <= 0) return null;
    const cpuMs = (Math.max(0, cpuTicks - before.cpuTicks) * 1000) / this.ticksPerSec;
    return (cpuMs / elapsedMs) * 100;
  }
}
