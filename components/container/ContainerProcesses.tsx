'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatBytes } from '@/server/lib/units';

type Proc = RouterOutputs['containers']['top'][number];

const columns: Column<Proc>[] = [
  { key: 'pid', header: 'PID (host)', cell: (p) => p.pid, sortValue: (p) => p.pid, align: 'right' },
  { key: 'ppid', header: 'PPID', cell: (p) => p.ppid, sortValue: (p) => p.ppid, align: 'right' },
  { key: 'uid', header: 'UID (host)', cell: (p) => p.uid, sortValue: (p) => p.uid, align: 'right' },
  { key: 'state', header: 'S', cell: (p) => p.state, sortValue: (p) => p.state },
  { key: 'rss', header: 'RSS', cell: (p) => formatBytes(p.rssBytes), sortValue: (p) => p.rssBytes, align: 'right' },
  { key: 'cpu', header: 'CPU time', cell: (p) => `${(p.cpuTimeMs / 1000).toFixed(2)} s`, sortValue: (p) => p.cpuTimeMs, align: 'right' },
  { key: 'command', header: 'Command', cell: (p) => p.command, sortValue: (p) => p.command, className: 'max-w-[40rem] truncate font-mono text-xs' },
];

/** `docker top`: the processes in the container's cgroup, as the host sees them. */
export function ContainerProcesses({ containerRef, running }: { containerRef: string; running: boolean }) {
  const trpc = useTRPC();
  const top = useQuery({ ...trpc.containers.top.queryOptions({ ref: containerRef }), refetchInterval: 2000 });
  if (top.isPending) return <SkeletonRows rows={4} />;
  if (top.error) return <ErrorState error={top.error} retry={() => void top.refetch()} />;
  if (top.data.length === 0) {
    return <EmptyState title="No processes">{running ? 'The container has no process right now.' : 'The container is not running.'}</EmptyState>;
  }
  return <DataTable label="container processes" rows={top.data} columns={columns} rowKey={(p) => p.pid} initialSort={{ key: 'pid', dir: 'asc' }} />;
}
