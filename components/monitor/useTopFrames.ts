'use client';
import { useEffect, useState } from 'react';
import { useTRPCClient } from '@/components/app/trpc';
import { TopFrameDecoder, type TopFrame } from '@/server/monitor/wire';

/** The `top` stream (a full frame, then deltas): every cgroup's latest values, each sweep. */
export function useTopFrames(onFrame?: (f: TopFrame) => void) {
  const client = useTRPCClient();
  const [frame, setFrame] = useState<TopFrame | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const decoder = new TopFrameDecoder();
    const sub = client.monitor.top.subscribe(undefined, {
      onData: (json) => {
        const f = decoder.apply(json);
        if (!f) return;
        setError(null);
        setFrame(f);
        onFrame?.(f);
      },
      onError: setError,
    });
    return () => sub.unsubscribe();
  }, [client, onFrame]);
  return { frame, error };
}
