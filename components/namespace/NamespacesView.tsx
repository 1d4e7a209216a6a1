'use client';
import { useQuery } from '@tanstack/react-query';
import clsx from 'clsx';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { PageHeader } from '@/components/ui/PageHeader';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { NamespaceMembers } from './NamespaceMembers';
import { NetnsPanel } from './NetnsPanel';

type Row = RouterOutputs['namespaces']['list']['namespaces'][number];

const types = ['mnt', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup', 'time'] as const;

export function NamespacesView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const type = params.get('type');
  const inode = params.get('inode') ? Number(params.get('inode')) : null;
  const scan = useQuery({ ...trpc.namespaces.list.queryOptions(), refetchInterval: 5000 });
  const go = (next: { type?: string | null; inode?: number | null }) => {
    const q = new URLSearchParams();
    const t = next.type === undefined ? type : next.type;
    const i = next.inode === undefined ? inode : next.inode;
    if (t) q.set('type', t);
    if (i) q.set('inode', String(i));
    router.push(q.size ? `${pathname}?${q}` : pathname);
  };

  const hostInodes = useMemo(() => new Set(Object.values(scan.data?.reference?.namespaces ?? {})), [scan.data]);
  const rows = (scan.data?.namespaces ?? []).filter((n) => !type || n.type === type);
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const n of scan.data?.namespaces ?? []) c.set(n.type, (c.get(n.type) ?? 0) + 1);
    return c;
  }, [scan.data]);

  const columns: Column<Row>[] = [
    { key: 'inode', header: 'Inode', cell: (n) => <span className="font-mono">{n.inode}</span>, sortValue: (n) => n.inode },
    { key: 'type', header: 'Type', cell: (n) => n.type, sortValue: (n) => n.type },
    { key: 'host', header: '', cell: (n) => (hostInodes.has(n.inode) ? <Badge>host</Badge> : <Badge tone="violet">own</Badge>) },
    { key: 'nprocs', header: 'Procs', cell: (n) => n.nprocs, sortValue: (n) => n.nprocs, align: 'right' },
    { key: 'pid', header: 'PID', cell: (n) => n.pid, sortValue: (n) => n.pid, align: 'right' },
    { key: 'user', header: 'User', cell: (n) => n.user, sortValue: (n) => n.user },
    { key: 'command', header: 'Command', cell: (n) => n.command, sortValue: (n) => n.command, className: 'max-w-[32rem] truncate font-mono text-xs' },
  ];

  return (
    <>
      <PageHeader title="Namespaces" description="Every namespace on the host, as lsns lists them. “own” marks namespaces that are not the host's." />
      <div role="tablist" aria-label="Namespace type" className="mb-3 flex flex-wrap gap-1">
        {[null, ...types].map((t) => (
          <button
            key={t ?? 'all'}
            role="tab"
            aria-selected={type === t}
            onClick={() => go({ type: t, inode: null })}
            className={clsx('rounded-md px-2.5 py-1 text-sm', type === t ? 'bg-accent-600/20 text-accent-200' : 'text-zinc-400 hover:bg-zinc-800')}
          >
            {t ?? 'all'} <span className="tabular text-xs text-zinc-500">{t ? (counts.get(t) ?? 0) : (scan.data?.namespaces.length ?? '')}</span>
          </button>
        ))}
      </div>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <div className="min-w-0">
          {scan.isPending ? (
            <SkeletonRows rows={12} />
          ) : scan.error ? (
            <ErrorState error={scan.error} retry={() => void scan.refetch()} />
          ) : (
            <DataTable label="namespaces" rows={rows} columns={columns} rowKey={(n) => n.inode} selectedKey={inode} onRowClick={(n) => go({ inode: n.inode })} initialSort={{ key: 'type', dir: 'asc' }} />
          )}
        </div>
        <div className="space-y-4">
          {inode && <NamespaceMembers inode={inode} onClose={() => go({ inode: null })} />}
          <NetnsPanel />
        </div>
      </div>
    </>
  );
}
