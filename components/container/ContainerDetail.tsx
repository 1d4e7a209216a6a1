'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { seesHost } from '@/components/app/nav';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { CgroupCharts } from '@/components/monitor/CgroupCharts';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatAgo, formatTime } from '@/components/ui/time';
import { ContainerActions } from './ContainerActions';
import { ContainerMove } from './ContainerMove';
import { ContainerCommit } from './ContainerCommit';
import { ContainerLimitsEditor } from './ContainerLimitsEditor';
import { ContainerLogs } from './ContainerLogs';
import { ContainerOverview } from './ContainerOverview';
import { ContainerProcesses } from './ContainerProcesses';
import { ContainerStateBadge } from './ContainerStateBadge';
import { ContainerTerminal } from './ContainerTerminal';
import { shortId } from './format';
import { TabPanel, Tabs, type TabItem } from './Tabs';

const tabKeys = ['overview', 'logs', 'terminal', 'limits', 'processes', 'commit', 'charts'] as const;
type TabKey = (typeof tabKeys)[number];
const tabs: TabItem<TabKey>[] = [
  { key: 'overview', label: 'Overview' },
  { key: 'logs', label: 'Logs' },
  { key: 'terminal', label: 'Terminal' },
  { key: 'limits', label: 'Limits' },
  { key: 'processes', label: 'Processes' },
  { key: 'commit', label: 'Commit' },
  { key: 'charts', label: 'Charts' },
];

function InspectPanel({ containerRef, children }: { containerRef: string; children: (d: RouterOutputs['containers']['inspect'], updatedAt: number) => ReactNode }) {
  const inspect = useInspect(containerRef);
  if (inspect.isPending) return <SkeletonRows rows={10} />;
  if (inspect.error) return <ErrorState error={inspect.error} retry={() => void inspect.refetch()} />;
  return <>{children(inspect.data, inspect.dataUpdatedAt)}</>;
}

function useInspect(containerRef: string) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.containers.inspect.queryOptions({ ref: containerRef }), refetchInterval: 3000 });
}

export function ContainerDetail({ containerRef }: { containerRef: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const tabParam = params.get('tab');
  const tab: TabKey = tabKeys.includes(tabParam as TabKey) ? (tabParam as TabKey) : 'overview';
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user;
  const host = user ? seesHost(user) : false;
  const canWrite = user?.role === 'admin' || user?.role === 'member';
  const rec = useQuery({ ...trpc.containers.get.queryOptions({ ref: containerRef }), refetchInterval: 2000 });
  const setTab = (k: TabKey) => router.replace(k === 'overview' ? pathname : `${pathname}?tab=${k}`, { scroll: false });

  if (rec.isPending) return <SkeletonRows rows={12} />;
  if (rec.error) {
    return (
      <div className="space-y-3">
        <ErrorState error={rec.error} retry={() => void rec.refetch()} />
        <Link href="/containers" className="text-sm text-accent-300 hover:underline">
          Back to containers
        </Link>
      </div>
    );
  }
  const c = rec.data;
  const running = c.state === 'running';

  return (
    <>
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <nav aria-label="Breadcrumb" className="mb-1 text-xs text-zinc-500">
            <Link href="/containers" className="hover:text-zinc-200">
              Containers
            </Link>{' '}
            /
          </nav>
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-zinc-100">
            <span className="truncate" data-testid="container-name">
              {c.name}
            </span>
            <ContainerStateBadge state={c.state} exitCode={c.exitCode} oomKilled={c.oomKilled} />
          </h1>
          <p className="mt-1 text-sm text-zinc-400">
            <span className="font-mono text-xs">{c.imageRef}</span> · <span className="font-mono text-xs" title={c.id}>{shortId(c.id)}</span> · {c.tenant ? `tenant ${c.tenant}` : 'host container'} · created{' '}
            <span title={formatTime(c.createdAt)}>{formatAgo(c.createdAt)}</span>
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {user?.role === 'admin' && <ContainerMove container={c} />}
          <ContainerActions container={c} size="md" canWrite={canWrite} onRemoved={() => router.push('/containers')} />
        </div>
      </div>

      <Tabs tabs={tabs} active={tab} onChange={setTab} label="Container" idPrefix="container" />
      <TabPanel idPrefix="container" tab={tab}>
        {tab === 'overview' && <InspectPanel containerRef={c.id}>{(d) => <ContainerOverview inspect={d} host={host} />}</InspectPanel>}
        {tab === 'logs' && <ContainerLogs containerRef={c.id} running={running} />}
        {tab === 'terminal' && (canWrite ? <ContainerTerminal key={c.id} containerRef={c.id} running={running} attachable={c.spec.interactive && c.spec.tty} /> : <EmptyState title="Viewers cannot open a terminal">A terminal runs commands in the container, which is a change.</EmptyState>)}
        {tab === 'limits' && (
          <InspectPanel containerRef={c.id}>{(d, updatedAt) => <ContainerLimitsEditor key={c.id} inspect={d} inspectUpdatedAt={updatedAt} canWrite={canWrite} />}</InspectPanel>
        )}
        {tab === 'processes' && <ContainerProcesses containerRef={c.id} running={running} />}
        {tab === 'commit' && <ContainerCommit containerRef={c.id} name={c.name} canWrite={canWrite} />}
        {/* Live charts of the container's cgroup; a tenant's members may chart what is in their slice. */}
        {tab === 'charts' && <CgroupCharts cgroupRef={c.cgroupRef} title={`Live usage of ${c.name}`} />}
      </TabPanel>
    </>
  );
}
