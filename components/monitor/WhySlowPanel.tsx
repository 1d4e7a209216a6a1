'use client';
import { useQuery } from '@tanstack/react-query';
import clsx from 'clsx';
import { formatBytesNum, formatNumber, formatPercent } from '@/components/charts/format';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Card, DefinitionList } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatAgo } from '@/components/ui/time';

const tone = { critical: 'red', warning: 'amber', info: 'accent', ok: 'green' } as const;

/**
 * "Why is it slow?": throttling, memory pressure, PSI and OOM kills of one cgroup side by side,
 * with the reasons that stand out first. Refreshes at the sample rate.
 */
export function WhySlowPanel({ cgroupRef, onClose }: { cgroupRef: string; onClose?: () => void }) {
  const trpc = useTRPC();
  const d = useQuery({ ...trpc.monitor.diagnose.queryOptions({ ref: cgroupRef }), refetchInterval: 2000 });
  return (
    <Card
      title={<span>Why is it slow? <span className="font-mono text-xs font-normal text-zinc-400">{cgroupRef}</span></span>}
      actions={onClose && (
        <button type="button" onClick={onClose} className="rounded px-2 py-0.5 text-xs text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100" aria-label="Close the slowness panel">
          Close
        </button>
      )}
    >
      <div data-testid="why-slow" className="space-y-4">
        {d.isPending ? (
          <SkeletonRows rows={5} />
        ) : d.error ? (
          <ErrorState error={d.error} retry={() => void d.refetch()} />
        ) : !d.data.values ? (
          <p className="text-sm text-zinc-500">The monitor does not know this cgroup (yet).</p>
        ) : (
          <>
            <ul className="space-y-2">
              {d.data.findings.map((f) => (
                <li key={f.title} className={clsx('rounded-md border px-3 py-2', f.severity === 'critical' ? 'border-red-500/40 bg-red-500/5' : f.severity === 'warning' ? 'border-amber-500/40 bg-amber-500/5' : 'border-zinc-800')}>
                  <div className="flex items-center gap-2">
                    <Badge tone={tone[f.severity]}>{f.severity}</Badge>
                    <span className="text-sm font-medium text-zinc-100">{f.title}</span>
                  </div>
                  <p className="mt-1 text-sm text-zinc-400">{f.detail}</p>
                </li>
              ))}
            </ul>
            <div className="grid gap-4 md:grid-cols-2">
              <DefinitionList
                items={[
                  ['CPU', `${formatPercent((d.data.values.cpuCores ?? NaN) * 100)}${d.data.limits?.cpuQuotaCores ? ` of ${formatPercent(d.data.limits.cpuQuotaCores * 100, 0)} quota` : ''}`],
                  ['Throttled', `${formatPercent(d.data.values.cpuThrottledPct)} of periods${d.data.counters.throttledPeriods !== null ? ` (${formatNumber(d.data.counters.throttledPeriods)} of ${formatNumber(d.data.counters.periods)} in total)` : ''}`],
                  ['Memory', `${formatBytesNum(d.data.values.memoryBytes)}${d.data.limits?.memoryMaxBytes ? ` of ${formatBytesNum(d.data.limits.memoryMaxBytes)} max` : ''}`],
                  ['Memory high', d.data.limits?.memoryHighBytes ? formatBytesNum(d.data.limits.memoryHighBytes) : 'none'],
                  ['OOM kills', d.data.counters.oomKills === null ? '—' : `${formatNumber(d.data.counters.oomKills)} since the cgroup was made (limit hit ${formatNumber(d.data.counters.memoryMaxEvents)} times)`],
                ]}
              />
              <DefinitionList
                items={[
                  ['PSI cpu', formatPercent(d.data.values.psiCpuSomePct)],
                  ['PSI memory', `some ${formatPercent(d.data.values.psiMemorySomePct)} · full ${formatPercent(d.data.extras?.psiMemoryFullPct)}`],
                  ['PSI io', `some ${formatPercent(d.data.values.psiIoSomePct)} · full ${formatPercent(d.data.extras?.psiIoFullPct)}`],
                  ['Page faults', `${formatNumber(d.data.extras?.pgfaultPerSec)} /s (major ${formatNumber(d.data.extras?.pgmajfaultPerSec)} /s)`],
                ]}
              />
            </div>
            <div>
              <h3 className="mb-1 text-xs font-medium text-zinc-400">Events in the last hour</h3>
              {d.data.events.length === 0 ? (
                <p className="text-sm text-zinc-500">None.</p>
              ) : (
                <ul className="space-y-1 text-sm">
                  {d.data.events.slice(0, 10).map((e) => (
                    <li key={e.id} className="flex gap-2">
                      <span className="tabular w-20 shrink-0 text-xs text-zinc-500" title={new Date(e.at).toLocaleString()}>{formatAgo(e.at)}</span>
                      <span className="text-zinc-300">{e.message}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
