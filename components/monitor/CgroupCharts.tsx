'use client';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { compactBytes, formatBytesNum, formatNumber, formatPercent, formatRate } from '@/components/charts/format';
import { TimeSeriesChart, type LimitLine, type SeriesLine } from '@/components/charts/TimeSeriesChart';
import { useTRPC } from '@/components/app/trpc';
import { Card } from '@/components/ui/Card';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import type { CgroupLimitsView } from '@/server/monitor/limits';
import type { HistoryWindow } from '@/server/monitor/monitor';
import { useCgroupLive } from './useCgroupLive';
import { WindowPicker } from './WindowPicker';

export type ChartKind = 'cpu' | 'memory' | 'io' | 'pids' | 'psi';
export const ALL_CHARTS: readonly ChartKind[] = ['cpu', 'memory', 'io', 'pids', 'psi'];

const colors = { cpu: '#38bdf8', throttled: '#f59e0b', memory: '#a78bfa', read: '#34d399', write: '#f472b6', pids: '#fbbf24', psiCpu: '#38bdf8', psiMemory: '#a78bfa', psiIo: '#fb923c', limit: '#f87171', high: '#fbbf24' };

const lines: Record<ChartKind, SeriesLine[]> = {
  cpu: [
    { key: 'cpu', label: 'CPU', color: colors.cpu, area: true },
    { key: 'throttled', label: 'throttled', color: colors.throttled, dashed: true },
  ],
  memory: [{ key: 'memory', label: 'memory', color: colors.memory, area: true }],
  io: [
    { key: 'ioRead', label: 'read', color: colors.read },
    { key: 'ioWrite', label: 'write', color: colors.write },
  ],
  pids: [{ key: 'pids', label: 'pids', color: colors.pids }],
  psi: [
    { key: 'psiCpu', label: 'cpu', color: colors.psiCpu },
    { key: 'psiMemory', label: 'memory', color: colors.psiMemory },
    { key: 'psiIo', label: 'io', color: colors.psiIo },
  ],
};

const titles: Record<ChartKind, string> = { cpu: 'CPU (100 % = one CPU)', memory: 'Memory', io: 'Block I/O', pids: 'Processes', psi: 'Pressure stall (PSI some)' };

function limitLines(kind: ChartKind, l: CgroupLimitsView | null | undefined): LimitLine[] {
  if (!l) return [];
  switch (kind) {
    case 'cpu':
      return l.cpuQuotaCores !== null ? [{ y: l.cpuQuotaCores * 100, label: `quota ${Number(l.cpuQuotaCores.toFixed(2))} CPU`, color: colors.limit }] : [];
    case 'memory':
      return [
        ...(l.memoryMaxBytes !== null ? [{ y: l.memoryMaxBytes, label: `max ${formatBytesNum(l.memoryMaxBytes)}`, color: colors.limit }] : []),
        ...(l.memoryHighBytes !== null ? [{ y: l.memoryHighBytes, label: `high ${formatBytesNum(l.memoryHighBytes)}`, color: colors.high }] : []),
      ];
    case 'pids':
      return l.pidsMax !== null ? [{ y: l.pidsMax, label: `max ${l.pidsMax}`, color: colors.limit }] : [];
    default:
      return [];
  }
}

const formats: Record<ChartKind, { format: (v: number) => string; axis?: (v: number) => string; minMax?: number; integer?: boolean }> = {
  cpu: { format: (v) => formatPercent(v), axis: (v) => `${Math.round(v)}%`, minMax: 10 },
  memory: { format: formatBytesNum, axis: compactBytes, minMax: 1024 * 1024, integer: true },
  io: { format: formatRate, axis: compactBytes, minMax: 1024, integer: true },
  pids: { format: formatNumber, axis: (v) => String(Math.round(v)), minMax: 1, integer: true },
  psi: { format: (v) => formatPercent(v), axis: (v) => `${Math.round(v)}%`, minMax: 5 },
};

/**
 * Live charts of one cgroup: CPU with its quota, memory with max/high, I/O, pids with their limit,
 * PSI. Reusable wherever a cgroup is shown (host overview, cgroup detail, containers, tenants).
 * `cgroupRef` is a cgroup ref as the API takes it ("/" for the host).
 */
export function CgroupCharts({ cgroupRef, charts = ALL_CHARTS, title = 'Live usage', initialWindow = '15m', columns = 2 }: {
  cgroupRef: string;
  charts?: readonly ChartKind[];
  title?: string;
  initialWindow?: HistoryWindow;
  columns?: 1 | 2 | 3;
}) {
  const trpc = useTRPC();
  const [window, setWindow] = useState<HistoryWindow>(initialWindow);
  const { store, history, liveError, known, windowMs } = useCgroupLive(cgroupRef, window);
  const limitsQuery = useQuery({ ...trpc.monitor.limits.queryOptions({ refs: [cgroupRef] }), refetchInterval: 5000 });
  const limits = limitsQuery.data?.[0]?.limits ?? history.data?.refs[0]?.limits ?? null;
  const limitsByKind = useMemo(() => Object.fromEntries(ALL_CHARTS.map((k) => [k, limitLines(k, limits)])) as Record<ChartKind, LimitLine[]>, [limits]);

  let body;
  if (history.isPending) body = <SkeletonRows rows={6} />;
  else if (history.error) body = <ErrorState error={history.error} retry={() => void history.refetch()} />;
  else if (known === false) body = <EmptyState title="No data for this cgroup">The monitor has not seen it yet; it appears within a few seconds of being created.</EmptyState>;
  else
    body = (
      <div className={columns === 1 ? 'grid gap-4' : columns === 3 ? 'grid gap-4 lg:grid-cols-2 2xl:grid-cols-3' : 'grid gap-4 lg:grid-cols-2'}>
        {charts.map((kind) => (
          <div key={kind} data-testid={`chart-${kind}`}>
            <h3 className="mb-1 text-xs font-medium text-zinc-400">{titles[kind]}</h3>
            <TimeSeriesChart
              store={store}
              lines={lines[kind]}
              limits={limitsByKind[kind]}
              windowMs={windowMs}
              format={formats[kind].format}
              axisFormat={formats[kind].axis}
              minMax={formats[kind].minMax}
              integer={formats[kind].integer}
              label={`${titles[kind]} of ${cgroupRef}`}
            />
          </div>
        ))}
      </div>
    );

  return (
    <Card
      title={title}
      actions={
        <>
          {liveError ? <span role="status" className="text-xs text-amber-300">live updates interrupted, reconnecting…</span> : null}
          <WindowPicker value={window} onChange={setWindow} />
        </>
      }
    >
      <div data-testid="cgroup-charts" data-ref={cgroupRef}>{body}</div>
    </Card>
  );
}
