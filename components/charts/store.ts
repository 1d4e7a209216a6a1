/**
 * Live chart data outside React state: a chart subscribes to its store (useSyncExternalStore)
 * and only the chart re-renders when a sample arrives, not the page around it.
 */
import { useSyncExternalStore } from 'react';

export interface ChartPoint {
  /** Bucket start, epoch ms. */
  t: number;
  [series: string]: number | null;
}

export class PointStore {
  private points: readonly ChartPoint[] = [];
  private readonly listeners = new Set<() => void>();
  /** Samples folded into the last point (live buckets wider than one sample). */
  private lastCount = 0;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): readonly ChartPoint[] => this.points;

  private emit(): void {
    for (const l of this.listeners) l();
  }

  set(points: readonly ChartPoint[]): void {
    this.points = points;
    this.lastCount = 1;
    this.emit();
  }

  /**
   * Add one live sample: averaged into the bucket of `bucketMs` it falls in (the server cuts the
   * same buckets), then points older than `windowMs` before it are dropped.
   */
  append(sample: ChartPoint, bucketMs: number, windowMs: number): void {
    const b = sample.t - (sample.t % bucketMs);
    const last = this.points.at(-1);
    let next: ChartPoint[];
    if (last && last.t === b) {
      const n = this.lastCount;
      const merged: ChartPoint = { t: b };
      for (const [k, v] of Object.entries(sample)) {
        if (k === 't') continue;
        const prev = last[k];
        merged[k] = v === null ? (prev ?? null) : prev === null || prev === undefined ? v : (prev * n + v) / (n + 1);
      }
      next = [...this.points.slice(0, -1), merged];
      this.lastCount = n + 1;
    } else if (!last || b > last.t) {
      next = [...this.points, { ...sample, t: b }];
      this.lastCount = 1;
    } else {
      return; // older than what is shown
    }
    const from = b - windowMs;
    let drop = 0;
    while (drop < next.length && (next[drop]?.t ?? 0) < from) drop++;
    this.points = drop ? next.slice(drop) : next;
    this.emit();
  }
}

export function usePoints(store: PointStore): readonly ChartPoint[] {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
