'use client';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTRPC, useTRPCClient } from '@/components/app/trpc';
import { compactBytes, formatBytesNum, formatPercent } from '@/components/charts/format';
import { SHARE_COLORS, StackedShareChart } from '@/components/charts/StackedShareChart';
import { PointStore, type ChartPoint } from '@/components/charts/store';
import { WindowPicker } from '@/components/monitor/WindowPicker';
import { Card } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import type { HistoryResult, HistoryWindow } from '@/server/monitor/monitor';
import { S } from '@/server/monitor/series';

/** The tenants' slices, stacked: who uses the host's CPU and memory, over time. */
export function TenantsUsageChart({ tenants }: { tenants: string[] }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [window, setWindow] = useState<HistoryWindow>('15m');
  const refs = useMemo(() => tenants.slice(0, 32).map((t) => `tenants/${t}`), [tenants]);
  const cpu = useMemo(() => new PointStore(), []);
  const memory = useMemo(() => new PointStore(), []);
  const history = useQuery({ ...trpc.monitor.history.queryOptions({ refs, window }), enabled: refs.length > 0, refetchInterval: window === '1m' || window === '15m' ? false : 60_000, gcTime: 0 });
  const data = history.data as HistoryResult | undefined;

  useEffect(() => {
    if (!data) return;
    const points = (id: 'cpuCores' | 'memoryBytes', scale: number) =>
      data.refs[0]?.t.map((t, i) => {
        const p: ChartPoint = { t };
        for (const h of data.refs) {
          const v = h.series[id][i];
          p[h.ref] = v === null || v === undefined ? null : v * scale;
        }
        return p;
      }) ?? [];
    cpu.set(points('cpuCores', 100));
    memory.set(points('memoryBytes', 1));
  }, [data, cpu, memory]);

  useEffect(() => {
    if (!data || data.source !== 'memory' || !refs.length) return;
    const sub = client.monitor.live.subscribe(
      { refs, lastEventId: data.lastEventId },
      {
        onData: (e) => {
          const c: ChartPoint = { t: e.data.t };
          const m: ChartPoint = { t: e.data.t };
          for (const ref of refs) {
            const v = e.data.values[ref];
            c[ref] = v?.[S.cpuCores] == null ? null : v[S.cpuCores]! * 100;
            m[ref] = v?.[S.memoryBytes] ?? null;
          }
          cpu.append(c, data.bucketMs, data.windowMs);
          memory.append(m, data.bucketMs, data.windowMs);
        },
      },
    );
    return () => sub.unsubscribe();
  }, [client, data, refs, cpu, memory]);

  const series = refs.map((ref, i) => ({ key: ref, label: ref.slice('tenants/'.length), color: SHARE_COLORS[i % SHARE_COLORS.length]! }));
  return (
    <Card title="Tenants over time" actions={<WindowPicker value={window} onChange={setWindow} />}>
      {history.isPending ? (
        <SkeletonRows rows={4} />
      ) : history.error ? (
        <ErrorState error={history.error} retry={() => void history.refetch()} />
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          <div>
            <h3 className="mb-1 text-xs font-medium text-zinc-400">CPU (100 % = one CPU)</h3>
            <StackedShareChart store={cpu} series={series} windowMs={data?.windowMs ?? 0} format={(v) => formatPercent(v, 0)} label="CPU of each tenant, stacked" minMax={10} />
          </div>
          <div>
            <h3 className="mb-1 text-xs font-medium text-zinc-400">Memory</h3>
            <StackedShareChart store={memory} series={series} windowMs={data?.windowMs ?? 0} format={(v) => (v >= 1024 * 1024 ? compactBytes(v) : formatBytesNum(v))} label="Memory of each tenant, stacked" minMax={64 * 1024 * 1024} />
          </div>
        </div>
      )}
    </Card>
  );
}
