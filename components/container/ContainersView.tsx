'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { seesHost } from '@/components/app/nav';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { formatPercent } from '@/components/charts/format';
import { useTopFrames } from '@/components/monitor/useTopFrames';
import { Badge } from '@/components/ui/Badge';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { SearchInput } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatAgo, formatTime } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';
import type { TopFrame } from '@/server/monitor/wire';
import { ContainerActions } from './ContainerActions';
import { ContainerStateBadge } from './ContainerStateBadge';
import { portText, shortId } from './format';

type Container = RouterOutputs['containers']['list'][number];
interface Usage {
  cpuCores: number | null;
  memoryBytes: number | null;
}

/**
 * CPU and memory of every container cgroup from the monitor's `top` stream: one stream for the
 * whole list instead of a query per row. The stream is for host viewers only; a tenant member's
 * list has no usage columns (their slice's usage is on the Tenants page).
 */
function UsageFeed({ onUsage }: { onUsage: (u: Map<string, Usage>) => void }) {
  const onFrame = useCallback((f: TopFrame) => onUsage(new Map(f.rows.map((r) => [r.ref, { cpuCores: r.cpuCores, memoryBytes: r.memoryBytes }]))), [onUsage]);
  useTopFrames(onFrame);
  return null;
}

function matches(c: Container, q: string): boolean {
  if (!q) return true;
  const fields = [c.name, c.id, c.imageRef, c.state, c.tenant ?? '', ...(c.network?.ips.map((i) => i.address) ?? [])];
  return fields.some((f) => f.toLowerCase().includes(q));
}

export function ContainersView() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user;
  const host = user ? seesHost(user) : false;
  const canWrite = user?.role === 'admin' || user?.role === 'member';
  const [showAll, setShowAll] = useState(true);
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  // refetchInterval pauses while the tab is hidden (react-query's default).
  const list = useQuery({ ...trpc.containers.list.queryOptions({ all: showAll }), refetchInterval: 3000 });
  const [usage, setUsage] = useState<Map<string, Usage> | null>(null);
  const rows = useMemo(() => (list.data ?? []).filter((c) => matches(c, deferred)), [list.data, deferred]);
  const running = list.data?.filter((c) => c.state === 'running').length ?? 0;
  const showTenant = host && (list.data ?? []).some((c) => c.tenant !== null);

  const columns = useMemo(() => {
    const cols: Column<Container>[] = [
      { key: 'state', header: 'State', cell: (c) => <ContainerStateBadge state={c.state} exitCode={c.exitCode} oomKilled={c.oomKilled} />, sortValue: (c) => c.state },
      {
        key: 'name',
        header: 'Name',
        cell: (c) => (
          <div className="min-w-0">
            <Link href={`/containers/${c.id}`} className="font-medium text-zinc-100 hover:text-accent-300 hover:underline" onClick={(e) => e.stopPropagation()}>
              {c.name}
            </Link>
            <div className="font-mono text-[11px] text-zinc-500">{shortId(c.id)}</div>
          </div>
        ),
        sortValue: (c) => c.name,
        className: 'whitespace-nowrap',
      },
      { key: 'image', header: 'Image', cell: (c) => <span className="font-mono text-xs">{c.imageRef}</span>, sortValue: (c) => c.imageRef, className: 'whitespace-nowrap' },
      // Only where tenants are in play: a member's list is all one tenant, a host without tenants has none.
      ...(showTenant ? [{ key: 'tenant', header: 'Tenant', cell: (c: Container) => c.tenant ?? <span className="text-zinc-500">host</span>, sortValue: (c: Container) => c.tenant }] : []),
      {
        key: 'network',
        header: 'Network',
        cell: (c) => {
          const ports = c.network?.ports.length ? c.network.ports : c.spec.ports;
          const ips = c.network?.ips.map((i) => i.address) ?? [];
          return (
            <div className="space-y-0.5 font-mono text-xs">
              <div className={ips.length ? 'text-zinc-200' : 'text-zinc-500'}>{ips.length ? ips.join(', ') : c.spec.namespaces.network === 'new' ? c.spec.network : c.spec.namespaces.network}</div>
              {ports.map((p) => (
                <div key={`${p.hostIp ?? ''}:${p.hostPort}/${p.protocol}`} className="text-zinc-400">
                  {portText(p)}
                </div>
              ))}
            </div>
          );
        },
        sortValue: (c) => c.network?.ips[0]?.address ?? null,
        className: 'whitespace-nowrap',
      },
    ];
    if (host) {
      const u = (c: Container) => (c.state === 'running' || c.state === 'paused' ? usage?.get(c.cgroupRef) : undefined);
      cols.push(
        { key: 'cpu', header: 'CPU', align: 'right', cell: (c) => (u(c)?.cpuCores != null ? formatPercent(u(c)!.cpuCores! * 100) : '—'), sortValue: (c) => u(c)?.cpuCores ?? null, className: 'whitespace-nowrap' },
        { key: 'memory', header: 'Memory', align: 'right', cell: (c) => (u(c)?.memoryBytes != null ? formatBytes(u(c)!.memoryBytes!) : '—'), sortValue: (c) => u(c)?.memoryBytes ?? null, className: 'whitespace-nowrap' },
      );
    }
    cols.push(
      { key: 'created', header: 'Created', cell: (c) => <span title={formatTime(c.createdAt)}>{formatAgo(c.createdAt)}</span>, sortValue: (c) => c.createdAt, className: 'whitespace-nowrap' },
      { key: 'actions', header: <span className="sr-only">Actions</span>, align: 'right', cell: (c) => <ContainerActions container={c} canWrite={canWrite} compact /> },
    );
    return cols;
  }, [host, usage, canWrite, showTenant]);

  return (
    <>
      {host && <UsageFeed onUsage={setUsage} />}
      <PageHeader
        title="Containers"
        description="Containers run by cgdash with runc: each in its own cgroup under the managed root, and its own namespaces."
        actions={
          <>
            {list.data && <Badge>{showAll ? `${running} running of ${list.data.length}` : `${running} running`}</Badge>}
            {canWrite && (
              <Link href="/containers/new" className="inline-flex h-9 items-center rounded-md bg-accent-600 px-3.5 text-sm font-medium text-white hover:bg-accent-500">
                Run a container
              </Link>
            )}
          </>
        }
      />
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <SearchInput aria-label="Filter containers" placeholder="Filter by name, id, image, state, tenant or IP…" className="max-w-md" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="flex items-center gap-2 text-sm text-zinc-400">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show stopped containers too
        </label>
      </div>
      {list.isPending ? (
        <SkeletonRows rows={8} />
      ) : list.error ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState
          title={showAll ? 'No containers yet' : 'No running containers'}
          action={
            canWrite && (
              <Link href="/containers/new" className="mt-2 inline-flex h-9 items-center rounded-md bg-accent-600 px-3.5 text-sm font-medium text-white hover:bg-accent-500">
                Run a container
              </Link>
            )
          }
        >
          {showAll ? 'The built-in busybox image is ready: run one to see its cgroup, namespaces, logs and a terminal.' : 'Tick “show stopped containers too” to see the rest.'}
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing matches the filter">No container name, id, image, state, tenant or IP contains “{filter}”.</EmptyState>
      ) : (
        <DataTable label="containers" rows={rows} columns={columns} rowKey={(c) => c.id} initialSort={{ key: 'created', dir: 'desc' }} onRowClick={(c) => router.push(`/containers/${c.id}`)} />
      )}
    </>
  );
}
