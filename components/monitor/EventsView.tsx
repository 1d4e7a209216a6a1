'use client';
import { useQuery } from '@tanstack/react-query';
import clsx from 'clsx';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useTRPC, useTRPCClient } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { SearchInput, SelectField } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatAgo } from '@/components/ui/time';
import { EVENT_TYPES, type MonitorEvent, type MonitorEventType } from '@/server/monitor/events';

export const eventTypeLabels: Record<MonitorEventType, string> = {
  oom_kill: 'OOM kill',
  cpu_throttled: 'CPU throttled',
  memory_high: 'Memory at high',
  memory_near_max: 'Memory near max',
  psi_high: 'Pressure',
  cgroup_appeared: 'Cgroup appeared',
  cgroup_vanished: 'Cgroup vanished',
  limits_changed: 'Limits changed',
};

const tone = { critical: 'red', warning: 'amber', info: 'neutral' } as const;
const PAGE = 100;

type Filter = { types?: MonitorEventType[]; ref?: string };

/** Monitor events, newest first, filtered by type and cgroup; new ones stream in at the top. */
export function EventsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const type = (params.get('type') ?? '') as MonitorEventType | '';
  const [cgroup, setCgroup] = useState(params.get('cgroup') ?? '');
  const ref = useDeferredValue(cgroup.trim());
  const filter = useMemo<Filter>(() => ({ types: type ? [type] : undefined, ref: ref || undefined }), [type, ref]);
  const first = useQuery({ ...trpc.monitor.events.queryOptions({ ...filter, limit: PAGE }), staleTime: Infinity, gcTime: 0 });

  const setType = (t: string) => {
    const q = new URLSearchParams(params.toString());
    if (t) q.set('type', t);
    else q.delete('type');
    router.replace(`${pathname}?${q.toString()}`);
  };

  return (
    <>
      <PageHeader title="Events" description="OOM kills, CPU throttling, memory and pressure alerts, cgroups coming and going, limit changes. New events appear at the top as they happen." />
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <SelectField label="Type" value={type} onChange={(e) => setType(e.target.value)} className="w-48">
          <option value="">All types</option>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>{eventTypeLabels[t]}</option>
          ))}
        </SelectField>
        <div className="flex flex-col gap-1">
          <label htmlFor="events-cgroup" className="text-xs font-medium text-zinc-400">Cgroup</label>
          <SearchInput id="events-cgroup" placeholder="e.g. containers/web, or a prefix ending in /" className="w-80" value={cgroup} onChange={(e) => setCgroup(e.target.value)} />
        </div>
      </div>
      {first.isPending ? (
        <SkeletonRows rows={10} />
      ) : first.error ? (
        <ErrorState error={first.error} retry={() => void first.refetch()} />
      ) : (
        <EventList key={first.dataUpdatedAt} filter={filter} initial={first.data.events} initialNextBeforeId={first.data.nextBeforeId} />
      )}
    </>
  );
}

/** One listing: the first page, older pages on demand, and the live stream after its newest event. */
function EventList({ filter, initial, initialNextBeforeId }: { filter: Filter; initial: MonitorEvent[]; initialNextBeforeId: number | null }) {
  const client = useTRPCClient();
  const [live, setLive] = useState<MonitorEvent[]>([]);
  const [older, setOlder] = useState<MonitorEvent[]>([]);
  const [nextBeforeId, setNextBeforeId] = useState(initialNextBeforeId);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [liveError, setLiveError] = useState<unknown>(null);
  const newestId = initial[0]?.id ?? 0;

  // Resuming after the newest listed event leaves no gap between the list and the stream.
  useEffect(() => {
    const sub = client.monitor.eventsLive.subscribe(
      { ...filter, lastEventId: String(newestId) },
      {
        onData: (e) => {
          setLiveError(null);
          setLive((l) => (l.some((x) => x.id === e.data.id) ? l : [e.data, ...l].slice(0, 1000)));
        },
        onError: setLiveError,
      },
    );
    return () => sub.unsubscribe();
  }, [client, filter, newestId]);

  const loadOlder = async () => {
    if (nextBeforeId === null) return;
    setLoadingOlder(true);
    try {
      const page = await client.monitor.events.query({ ...filter, limit: PAGE, beforeId: nextBeforeId });
      setOlder((o) => [...o, ...page.events]);
      setNextBeforeId(page.nextBeforeId);
    } finally {
      setLoadingOlder(false);
    }
  };

  const events = [...live, ...initial, ...older];
  return (
    <>
      {liveError ? <p role="status" className="mb-2 text-xs text-amber-300">Live updates interrupted, reconnecting…</p> : null}
      {events.length === 0 ? (
        <EmptyState title="No events">Nothing matches these filters yet; new events will appear here as they happen.</EmptyState>
      ) : (
        <ol aria-label="events" className="divide-y divide-zinc-800/70 rounded-lg border border-zinc-800">
          {events.map((e) => (
            <li key={e.id} data-event-type={e.type} data-ref={e.ref} className={clsx('flex flex-wrap items-start gap-x-3 gap-y-1 px-3 py-2', live.includes(e) && 'bg-accent-600/5')}>
              <time dateTime={new Date(e.at).toISOString()} title={new Date(e.at).toLocaleString()} className="tabular w-24 shrink-0 pt-0.5 text-xs text-zinc-500">
                {formatAgo(e.at)}
              </time>
              <span className="w-32 shrink-0">
                <Badge tone={tone[e.severity]}>{eventTypeLabels[e.type]}</Badge>
              </span>
              <span className="min-w-0 flex-1">
                <span className="text-sm text-zinc-200">{e.message}</span>
                <span className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-zinc-500">
                  <Link href={`/cgroups?path=${encodeURIComponent(e.ref || '/')}`} className="font-mono hover:text-accent-300">{e.ref || '(managed root)'}</Link>
                  {e.name && <span>{e.name}</span>}
                  {e.actor && <span>by {e.actor}</span>}
                </span>
              </span>
            </li>
          ))}
        </ol>
      )}
      {nextBeforeId !== null && (
        <div className="mt-3 flex justify-center">
          <Button onClick={() => void loadOlder()} busy={loadingOlder}>Load older events</Button>
        </div>
      )}
    </>
  );
}
