'use client';
import clsx from 'clsx';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { memo, useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import { formatBytesNum, formatNumber, formatPercent, formatRate } from '@/components/charts/format';
import { SHARE_COLORS, StackedShareChart, type ShareSeries } from '@/components/charts/StackedShareChart';
import { PointStore } from '@/components/charts/store';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { SearchInput } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import type { TopFrame, TopRow } from '@/server/monitor/wire';
import { childShares, depthOf, parentsIn, visibleRows, type SortKey, type ViewOptions } from './topTree';
import { useTopFrames } from './useTopFrames';
import { WhySlowPanel } from './WhySlowPanel';

const SHARE_WINDOW_MS = 5 * 60_000;
const MAX_ROWS = 300;
const DEPTHS = [1, 2, 3, 4, 6, 99] as const;

interface Column {
  key: SortKey;
  label: string;
  title?: string;
  cell: (r: TopRow) => string;
}

const columns: Column[] = [
  { key: 'cpuCores', label: 'CPU %', title: '100 % = one CPU', cell: (r) => formatPercent(r.cpuCores === null ? null : r.cpuCores * 100) },
  { key: 'memoryBytes', label: 'Memory', cell: (r) => formatBytesNum(r.memoryBytes) + (r.memoryMaxBytes && r.memoryBytes !== null ? ` (${Math.round((r.memoryBytes / r.memoryMaxBytes) * 100)} %)` : '') },
  { key: 'ioReadBytesPerSec', label: 'Read/s', cell: (r) => formatRate(r.ioReadBytesPerSec) },
  { key: 'ioWriteBytesPerSec', label: 'Write/s', cell: (r) => formatRate(r.ioWriteBytesPerSec) },
  { key: 'pids', label: 'Pids', cell: (r) => formatNumber(r.pids) },
  { key: 'cpuThrottledPct', label: 'Throttled', title: 'Share of CFS periods throttled', cell: (r) => formatPercent(r.cpuThrottledPct) },
  { key: 'psi', label: 'PSI', title: 'Highest pressure stall (some) of cpu, memory, io', cell: (r) => formatPercent(Math.max(r.psiCpuSomePct ?? -1, r.psiMemorySomePct ?? -1, r.psiIoSomePct ?? -1) < 0 ? null : Math.max(r.psiCpuSomePct ?? 0, r.psiMemorySomePct ?? 0, r.psiIoSomePct ?? 0)) },
];

const TopTableRow = memo(function TopTableRow({ row, selected, hasChildren, collapsed, onToggle, onSelect, onShare }: {
  row: TopRow;
  selected: boolean;
  hasChildren: boolean;
  collapsed: boolean;
  onToggle: (path: string) => void;
  onSelect: (ref: string) => void;
  onShare: (path: string) => void;
}) {
  const depth = depthOf(row.path);
  const label = row.path === '/' ? '/' : row.path.slice(row.path.lastIndexOf('/') + 1);
  return (
    <tr
      data-ref={row.ref}
      tabIndex={0}
      aria-selected={selected || undefined}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onSelect(row.ref);
        if (hasChildren && ((e.key === 'ArrowLeft' && !collapsed) || (e.key === 'ArrowRight' && collapsed))) onToggle(row.path);
      }}
      className={clsx('align-top', selected ? 'bg-accent-600/15' : 'hover:bg-zinc-800/40')}
    >
      <td className="max-w-[28rem] px-3 py-1">
        <div className="flex items-center gap-1" style={{ paddingLeft: `${Math.min(depth, 12) * 0.75}rem` }}>
          {hasChildren ? (
            <button type="button" tabIndex={-1} aria-label={collapsed ? `Expand ${row.path}` : `Collapse ${row.path}`} onClick={() => onToggle(row.path)} className="w-4 shrink-0 text-zinc-500 hover:text-zinc-200">
              {collapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="w-4 shrink-0" />
          )}
          <Link href={`/cgroups?path=${encodeURIComponent(row.path)}`} className="truncate font-mono text-xs text-zinc-200 hover:text-accent-300" title={row.path}>
            {label}
          </Link>
          {row.name && <Badge tone={row.kind === 'tenant' ? 'violet' : 'accent'}>{row.name}</Badge>}
        </div>
      </td>
      {columns.map((c) => (
        <td key={c.key} data-testid={`top-${c.key}`} className="tabular whitespace-nowrap px-3 py-1 text-right text-xs">
          {c.cell(row)}
        </td>
      ))}
      <td className="whitespace-nowrap px-2 py-1 text-right">
        <button type="button" onClick={() => onSelect(row.ref)} className="rounded px-1.5 py-0.5 text-xs text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100" aria-label={`Why is ${row.path} slow?`}>
          Why slow?
        </button>
        {hasChildren && (
          <button type="button" onClick={() => onShare(row.path)} className="rounded px-1.5 py-0.5 text-xs text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100" aria-label={`Show who uses the CPU in ${row.path}`}>
            Share
          </button>
        )}
      </td>
    </tr>
  );
});

/** A live systemd-cgtop: every cgroup's latest values each sweep, sortable, filterable, collapsible. */
export function TopView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selected = params.get('cgroup');
  const [parent, setParent] = useState('/');
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [maxDepth, setMaxDepth] = useState(3);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [sort, setSort] = useState<ViewOptions['sort']>({ key: 'cpuCores', dir: 'desc' });
  const shareStore = useMemo(() => new PointStore(), []);
  const [shareSeries, setShareSeries] = useState<ShareSeries[]>([]);
  const parentRef = useRef(parent);
  const seriesKeys = useRef('');

  const onFrame = useCallback(
    (f: TopFrame) => {
      const shares = childShares(f.rows, parentRef.current, 7);
      const point: Record<string, number | null> = {};
      for (const s of shares) point[s.key] = s.cpuPct;
      shareStore.append({ t: f.t, ...point }, f.intervalMs, SHARE_WINDOW_MS);
      const keys = shares.map((s) => s.key).sort().join('\n');
      if (keys !== seriesKeys.current) {
        seriesKeys.current = keys;
        setShareSeries(shares.map((s, i) => ({ key: s.key, label: s.label, color: s.key === '__other' ? '#52525b' : s.key === '__self' ? '#3f3f46' : (SHARE_COLORS[i % SHARE_COLORS.length] ?? '#94a3b8') })));
      }
    },
    [shareStore],
  );
  const { frame, error } = useTopFrames(onFrame);

  const chooseParent = useCallback(
    (path: string) => {
      parentRef.current = path;
      seriesKeys.current = '';
      shareStore.set([]);
      setParent(path);
    },
    [shareStore],
  );
  const toggle = useCallback((path: string) => setCollapsed((c) => {
    const next = new Set(c);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    return next;
  }), []);
  const select = useCallback((ref: string) => router.push(`${pathname}?cgroup=${encodeURIComponent(ref)}`), [router, pathname]);

  const parents = useMemo(() => parentsIn(frame?.rows ?? []), [frame]);
  const rows = useMemo(() => visibleRows(frame?.rows ?? [], { query: deferredQuery, maxDepth, collapsed, sort }), [frame, deferredQuery, maxDepth, collapsed, sort]);
  const sortBy = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'desc' ? 'asc' : 'desc' }));

  return (
    <>
      <PageHeader
        title="Top"
        description="Every cgroup, updated each sample. Counters include descendants, as the kernel counts them; 100 % CPU is one CPU."
        actions={frame && <Badge>{frame.rows.length} cgroups · {new Date(frame.t).toLocaleTimeString()}</Badge>}
      />
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <SearchInput aria-label="Filter cgroups" placeholder="Filter by path or name…" className="max-w-sm" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="flex items-center gap-2 text-sm text-zinc-400">
          Depth
          <select aria-label="Depth" value={maxDepth} onChange={(e) => setMaxDepth(Number(e.target.value))} className="h-9 rounded-md border border-zinc-700 bg-zinc-900 px-2 text-sm text-zinc-100">
            {DEPTHS.map((d) => (
              <option key={d} value={d}>{d === 99 ? 'all' : d}</option>
            ))}
          </select>
        </label>
        {collapsed.size > 0 && <Button size="sm" variant="ghost" onClick={() => setCollapsed(new Set())}>Expand all</Button>}
      </div>
      {error && frame ? <p role="status" className="mb-2 text-xs text-amber-300">Live updates interrupted, reconnecting…</p> : null}
      <div className={clsx('grid gap-4', selected ? '2xl:grid-cols-[minmax(0,1fr)_34rem]' : '')}>
        <div className="min-w-0 space-y-4">
          <Card title={<span>Who uses the CPU in <span className="font-mono text-xs">{parent}</span></span>} actions={parent !== '/' && <Button size="sm" variant="ghost" onClick={() => chooseParent('/')}>Back to /</Button>}>
            {shareSeries.length === 0 ? (
              <p className="text-sm text-zinc-500">{frame ? 'No child cgroups to compare.' : 'Waiting for the first sample…'}</p>
            ) : (
              <StackedShareChart store={shareStore} series={shareSeries} windowMs={SHARE_WINDOW_MS} format={(v) => `${Math.round(v)} %`} height={180} label={`CPU share of the children of ${parent}`} minMax={10} />
            )}
          </Card>
          {!frame ? (
            error ? <ErrorState error={error} /> : <SkeletonRows rows={14} />
          ) : rows.length === 0 ? (
            <EmptyState title="No cgroup matches">Change the filter or the depth.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-zinc-800">
              <table className="w-full text-sm" aria-label="cgroups by usage">
                <thead className="sticky top-0 bg-zinc-900 text-xs text-zinc-500">
                  <tr>
                    <th scope="col" className="px-3 py-2 text-left font-medium" aria-sort={sort.key === 'path' ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                      <button type="button" onClick={() => sortBy('path')} className="hover:text-zinc-200">Cgroup</button>
                    </th>
                    {columns.map((c) => (
                      <th key={c.key} scope="col" title={c.title} className="whitespace-nowrap px-3 py-2 text-right font-medium" aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                        <button type="button" onClick={() => sortBy(c.key)} className={clsx('hover:text-zinc-200', sort.key === c.key && 'text-zinc-200')}>
                          {c.label} <span aria-hidden className="text-[10px]">{sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                        </button>
                      </th>
                    ))}
                    <th scope="col" className="px-2 py-2"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-800/70">
                  {rows.slice(0, MAX_ROWS).map((r) => (
                    <TopTableRow key={r.ref} row={r} selected={selected === r.ref} hasChildren={parents.has(r.path)} collapsed={collapsed.has(r.path)} onToggle={toggle} onSelect={select} onShare={chooseParent} />
                  ))}
                </tbody>
              </table>
              {rows.length > MAX_ROWS && <p className="border-t border-zinc-800 px-3 py-2 text-xs text-zinc-500">Showing {MAX_ROWS} of {rows.length}; filter or lower the depth to see the rest.</p>}
            </div>
          )}
        </div>
        {selected && (
          <div className="min-w-0">
            <WhySlowPanel key={selected} cgroupRef={selected} onClose={() => router.push(pathname)} />
          </div>
        )}
      </div>
    </>
  );
}
