'use client';
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useDeferredValue, useState } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { SearchInput } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { CgroupDetail } from './CgroupDetail';
import { CgroupTree } from './CgroupTree';

export function CgroupsExplorer() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selected = params.get('path');
  const list = useQuery({ ...trpc.cgroups.list.queryOptions(), refetchInterval: 5000 });
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const select = useCallback((path: string | null) => router.push(path ? `${pathname}?path=${encodeURIComponent(path)}` : pathname), [router, pathname]);
  const managed = list.data?.filter((n) => n.managedPath !== null).length ?? 0;

  return (
    <>
      <PageHeader
        title="Cgroups"
        description="Every cgroup of every hierarchy, merged by path. Select one to see its limits and usage."
        actions={list.data && <Badge>{list.data.length} cgroups · {managed} managed</Badge>}
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(18rem,26rem)_minmax(0,1fr)]">
        <div className="flex max-h-[calc(100vh-9rem)] flex-col rounded-lg border border-zinc-800 bg-zinc-900/40">
          <div className="border-b border-zinc-800 p-2">
            <SearchInput aria-label="Search cgroups" placeholder="Search paths…" value={query} onChange={(e) => setQuery(e.target.value)} />
          </div>
          <div className="min-h-0 flex-1 overflow-auto p-1">
            {list.isPending ? (
              <SkeletonRows rows={12} />
            ) : list.error ? (
              <ErrorState error={list.error} retry={() => void list.refetch()} />
            ) : (
              <CgroupTree nodes={list.data} selected={selected} onSelect={select} query={deferredQuery} />
            )}
          </div>
        </div>
        <div className="min-w-0">
          {selected ? (
            <CgroupDetail key={selected} path={selected} onDeleted={() => select(null)} />
          ) : (
            <EmptyState title="No cgroup selected">Pick a cgroup in the tree, or search for one by path.</EmptyState>
          )}
        </div>
      </div>
    </>
  );
}
