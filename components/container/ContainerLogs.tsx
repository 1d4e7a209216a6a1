'use client';
import clsx from 'clsx';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTRPCClient } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { errorMessage } from '@/components/ui/errors';
import type { LogLine } from '@/server/runtime';

/** Lines kept in the page; older ones are dropped (the file on the server keeps them). */
const maxLines = 10_000;
const tails = [100, 500, 1000, 5000, 0] as const;
type StreamFilter = 'all' | 'stdout' | 'stderr';
type Status = 'connecting' | 'following' | 'ended' | 'error';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false });

/**
 * The container's stdout and stderr as conmon logged them: the last `tail` lines, then new ones
 * live until the container stops. Changing the backlog or reloading starts a new stream (a new
 * LogStream, so its lines and status start fresh).
 */
export function ContainerLogs({ containerRef, running }: { containerRef: string; running: boolean }) {
  const [tail, setTail] = useState<number>(500);
  const [filter, setFilter] = useState<StreamFilter>('all');
  const [autoScroll, setAutoScroll] = useState(true);
  const [reloads, setReloads] = useState(0);
  // A stopped container's stream ends; when it runs again, follow the new output.
  const [runs, setRuns] = useState({ running, count: 0 });
  if (runs.running !== running) setRuns({ running, count: runs.count + (running ? 1 : 0) });
  return (
    <LogStream
      key={`${tail}:${reloads}:${runs.count}`}
      containerRef={containerRef}
      running={running}
      tail={tail}
      onTail={setTail}
      filter={filter}
      onFilter={setFilter}
      autoScroll={autoScroll}
      onAutoScroll={setAutoScroll}
      onReload={() => setReloads((r) => r + 1)}
    />
  );
}

function LogStream({ containerRef, running, tail, onTail, filter, onFilter, autoScroll, onAutoScroll, onReload }: {
  containerRef: string;
  running: boolean;
  tail: number;
  onTail: (t: number) => void;
  filter: StreamFilter;
  onFilter: (f: StreamFilter) => void;
  autoScroll: boolean;
  onAutoScroll: (a: boolean) => void;
  onReload: () => void;
}) {
  const client = useTRPCClient();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [status, setStatus] = useState<Status>('connecting');
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let pending: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const add = pending;
      pending = [];
      setLines((ls) => {
        const next = ls.concat(add);
        return next.length > maxLines ? next.slice(next.length - maxLines) : next;
      });
    };
    const sub = client.containers.followLogs.subscribe(
      { ref: containerRef, tail: tail === 0 ? undefined : tail },
      {
        // Each (re)connection sends the backlog again: start over rather than show it twice.
        onStarted: () => {
          pending = [];
          setLines([]);
          setError(null);
          setStatus('following');
        },
        onData: (line) => {
          pending.push(line);
          if (!frame) frame = requestAnimationFrame(flush);
        },
        onError: (err) => {
          setError(err);
          setStatus('error');
        },
        onComplete: () => setStatus((s) => (s === 'error' ? s : 'ended')),
      },
    );
    return () => {
      sub.unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [client, containerRef, tail]);

  const shown = filter === 'all' ? lines : lines.filter((l) => l.stream === filter);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && autoScroll) el.scrollTop = el.scrollHeight;
  }, [shown, autoScroll]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== autoScroll) onAutoScroll(atBottom);
  };

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-xs text-zinc-400">
          Last
          <select
            aria-label="Lines of backlog"
            value={tail}
            onChange={(e) => onTail(Number(e.target.value))}
            className="h-7 rounded-md border border-zinc-700 bg-zinc-900 px-2 text-xs text-zinc-100"
          >
            {tails.map((t) => (
              <option key={t} value={t}>
                {t === 0 ? 'all' : t} lines
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2 text-xs text-zinc-400">
          Stream
          <select aria-label="Stream" value={filter} onChange={(e) => onFilter(e.target.value as StreamFilter)} className="h-7 rounded-md border border-zinc-700 bg-zinc-900 px-2 text-xs text-zinc-100">
            <option value="all">stdout + stderr</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
        </label>
        <Button size="sm" variant={autoScroll ? 'secondary' : 'primary'} aria-pressed={!autoScroll} onClick={() => onAutoScroll(!autoScroll)}>
          {autoScroll ? 'Pause scrolling' : 'Resume scrolling'}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setLines([])} disabled={lines.length === 0}>
          Clear
        </Button>
        <span role="status" className="ml-auto text-xs text-zinc-500" data-testid="logs-status" data-status={status}>
          {status === 'connecting' && 'connecting…'}
          {status === 'following' && (running ? 'following live' : 'backlog (not running)')}
          {status === 'ended' && 'stream ended: the container stopped'}
          {status === 'error' && <span className="text-red-400">{errorMessage(error)}</span>}
          {' · '}
          {shown.length} line{shown.length === 1 ? '' : 's'}
        </span>
        {status !== 'following' && status !== 'connecting' && (
          <Button size="sm" variant="ghost" onClick={onReload}>
            Reload
          </Button>
        )}
      </div>
      <div
        ref={box}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-label="container logs"
        aria-live="off"
        className="h-[60vh] min-h-64 overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 py-2 font-mono text-xs leading-5"
      >
        {shown.length === 0 ? (
          <p className="px-3 text-zinc-600">{status === 'connecting' ? 'Loading…' : 'No output yet.'}</p>
        ) : (
          shown.map((l, i) => (
            <div key={i} className={clsx('flex gap-3 border-l-2 px-3 hover:bg-zinc-900', l.stream === 'stderr' ? 'border-red-500/70 bg-red-500/[0.04]' : 'border-transparent')} data-stream={l.stream}>
              <span className="shrink-0 select-none text-zinc-600" title={l.time}>
                {clock.format(l.timeMs)}
              </span>
              <span className={clsx('w-9 shrink-0 select-none', l.stream === 'stderr' ? 'text-red-400' : 'text-zinc-600')}>{l.stream === 'stderr' ? 'err' : 'out'}</span>
              <span className={clsx('min-w-0 whitespace-pre-wrap break-all', l.stream === 'stderr' ? 'text-red-200' : 'text-zinc-200')}>{l.text}</span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
