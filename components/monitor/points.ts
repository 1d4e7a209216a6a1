/** Monitor series (server order) as chart points with short, stable keys. */
import type { ChartPoint } from '@/components/charts/store';
import { SERIES_IDS, type SeriesId } from '@/server/monitor/series';

/** Chart key per series; CPU and throttling become percent (100 % = one CPU). */
const keys: Record<SeriesId, { key: string; scale: number }> = {
  cpuCores: { key: 'cpu', scale: 100 },
  cpuThrottledPct: { key: 'throttled', scale: 1 },
  memoryBytes: { key: 'memory', scale: 1 },
  ioReadBytesPerSec: { key: 'ioRead', scale: 1 },
  ioWriteBytesPerSec: { key: 'ioWrite', scale: 1 },
  pids: { key: 'pids', scale: 1 },
  psiCpuSomePct: { key: 'psiCpu', scale: 1 },
  psiMemorySomePct: { key: 'psiMemory', scale: 1 },
  psiIoSomePct: { key: 'psiIo', scale: 1 },
};

const scaled = (v: number | null | undefined, scale: number) => (v === null || v === undefined ? null : v * scale);

/** A live frame's values (SERIES order) at time t. */
export function pointOf(t: number, values: readonly (number | null)[] | null | undefined): ChartPoint {
  const p: ChartPoint = { t };
  SERIES_IDS.forEach((id, i) => {
    const k = keys[id];
    p[k.key] = scaled(values?.[i], k.scale);
  });
  return p;
}

/** A history (one array per series) as points. */
export function pointsOf(h: { t: number[]; series: Record<SeriesId, (number | null)[]> }): ChartPoint[] {
  return h.t.map((t, i) => {
    const p: ChartPoint = { t };
    for (const id of SERIES_IDS) {
      const k = keys[id];
      p[k.key] = scaled(h.series[id][i], k.scale);
    }
    return p;
  });
}
