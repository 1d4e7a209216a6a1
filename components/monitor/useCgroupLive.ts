'use client';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { PointStore } from '@/components/charts/store';
import { useTRPC, useTRPCClient } from '@/components/app/trpc';
import type { HistoryWindow } from '@/server/monitor/monitor';
import { pointOf, pointsOf } from './points';

const MEMORY_WINDOWS: readonly HistoryWindow[] = ['1m', '15m'];

/**
 * One cgroup's chart data: the history of the window, continued live at the sample rate for
 * windows the server holds in memory (the live stream resumes from the history's last sweep, so
 * there is no gap and no duplicate). Longer windows re-read their minute rollups each minute.
 * The data lives in a PointStore: only the charts subscribed to it re-render.
 */
export function useCgroupLive(ref: string, window: HistoryWindow) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const live = MEMORY_WINDOWS.includes(window);
  const store = useMemo(() => new PointStore(), []);
  const history = useQuery({
    ...trpc.monitor.history.queryOptions({ refs: [ref], window }),
    // A cgroup made a moment ago is monitored within a couple of seconds: ask again until then.
    refetchInterval: (q) => (q.state.data?.refs[0]?.known === false ? 2000 : live ? false : 60_000),
    staleTime: live ? Infinity : 30_000,
    gcTime: 0,
  });
  const [liveError, setLiveError] = useState<unknown>(null);
  const data = history.data;

  useEffect(() => {
    const h = data?.refs[0];
    if (h) store.set(pointsOf(h));
  }, [data, store]);

  useEffect(() => {
    if (!data || data.source !== 'memory') return;
    const { bucketMs, windowMs } = data;
    const sub = client.monitor.live.subscribe(
      { refs: [ref], lastEventId: data.lastEventId },
      {
        onData: (e) => {
          setLiveError(null);
          store.append(pointOf(e.data.t, e.data.values[ref]), bucketMs, windowMs);
        },
        onError: (err) => setLiveError(err),
      },
    );
    return () => sub.unsubscribe();
  }, [client, data, ref, store]);

  return { store, history, liveError, known: data?.refs[0]?.known ?? null, windowMs: data?.windowMs ?? 0 };
}
