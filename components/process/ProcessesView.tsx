'use client';
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { SearchInput } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatBytes } from '@/server/lib/units';
import { ProcessDetail } from './ProcessDetail';

type Proc = RouterOutputs['processes']['list'][number];

/** The cgroup a person means by "its cgroup": the unified one, else the memory hierarchy's. */
export function primaryCgroup(p: Pick<Proc, 'cgroups'>): string {
  const unified = p.cgroups.find((c) => c.hierarchyId === 0);
  const memory = p.cgroups.find((c) => c.controllers.includes('memory'));
  return (memory ?? unified ?? p.cgroups[0])?.path ?? '—';
}

const columns: Column<Proc>[] = [
  { key: 'pid', header: 'PID', cell: (p) => p.pid, sortValue: (p) => p.pid, align: 'right' },
  { key: 'ppid', header: 'PPID', cell: (p) => p.ppid, sortValue: (p) => p.ppid, align: 'right' },
  { key: 'user', header: 'User', cell: (p) => p.user, sortValue: (p) => p.user },
  { key: 'state', header: 'S', cell: (p) => p.state, sortValue: (p) => p.state },
  { key: 'cpu', header: 'CPU %', cell: (p) => (p.cpuPercent === null ? '…' : p.cpuPercent.toFixed(1)), sortValue: (p) => p.cpuPercent, align: 'right' },
  { key: 'rss', header: 'RSS', cell: (p) => (p.rssBytes ? formatBytes(p.rssBytes) : '—'), sortValue: (p) => p.rssBytes, align: 'right' },
  { key: 'threads', header: 'Thr', cell: (p) => p.threads, sortValue: (p) => p.threads, align: 'right' },
  {
    key: 'command',
    header: 'Command',
    cell: (p) => <span className={p.isKernelThread ? 'text-zinc-500' : 'text-zinc-200'}>{p.command}</span>,
    sortValue: (p) => p.command,
    className: 'max-w-[40rem] truncate font-mono text-xs',
  },
  { key: 'cgroup', header: 'Cgroup', cell: (p) => <span className="font-mono text-xs text-zinc-400">{primaryCgroup(p)}</span>, sortValue: primaryCgroup },
];

export function ProcessesView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selectedPid = params.get('pid') ? Number(params.get('pid')) : null;
  const list = useQuery({ ...trpc.processes.list.queryOptions(), refetchInterval: 3000 });
  const [filter, setFilter] = useState('');
  const [showKernel, setShowKernel] = useState(false);
  const deferred = useDeferredValue(filter);
  const rows = useMemo(() => {
    const q = deferred.trim().toLowerCase();
    return (list.data ?? []).filter(
      (p) =>
        (showKernel || !p.isKernelThread) &&
        (!q || String(p.pid) === q || p.command.toLowerCase().includes(q) || p.user.toLowerCase().includes(q) || primaryCgroup(p).toLowerCase().includes(q)),
    );
  }, [list.data, deferred, showKernel]);

  return (
    <>
      <PageHeader
        title="Processes"
        description="Every process with its cgroup and namespaces. CPU % is since the previous refresh; 100 % is one CPU."
        actions={list.data && <Badge>{list.data.length} processes</Badge>}
      />
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <SearchInput aria-label="Filter processes" placeholder="Filter by pid, command, user or cgroup…" className="max-w-md" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="flex items-center gap-2 text-sm text-zinc-400">
          <input type="checkbox" checked={showKernel} onChange={(e) => setShowKernel(e.target.checked)} /> kernel threads
        </label>
      </div>
      <div className={selectedPid ? 'grid gap-4 xl:grid-cols-[minmax(0,1fr)_28rem]' : ''}>
        <div className="min-w-0">
          {list.isPending ? (
            <SkeletonRows rows={14} />
          ) : list.error ? (
            <ErrorState error={list.error} retry={() => void list.refetch()} />
          ) : (
            <DataTable
              label="processes"
              rows={rows}
              columns={columns}
              rowKey={(p) => p.pid}
              selectedKey={selectedPid}
              initialSort={{ key: 'cpu', dir: 'desc' }}
              onRowClick={(p) => router.push(`${pathname}?pid=${p.pid}`)}
            />
          )}
        </div>
        {selectedPid && <ProcessDetail pid={selectedPid} onClose={() => router.push(pathname)} />}
      </div>
    </>
  );
}
