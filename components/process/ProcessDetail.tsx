'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card, DefinitionList } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';

export function ProcessDetail({ pid, onClose }: { pid: number; onClose: () => void }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.processes.get.queryOptions({ pid }), refetchInterval: 5000 });
  return (
    <Card title={`Process ${pid}`} actions={<Button size="sm" variant="ghost" onClick={onClose}>Close</Button>} className="self-start xl:sticky xl:top-4">
      {q.isPending ? (
        <SkeletonRows rows={8} />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : (
        <div className="space-y-4 text-sm">
          <p className="break-all font-mono text-xs text-zinc-200" data-testid="process-command">{q.data.info.command}</p>
          <DefinitionList
            items={[
              ['User', `${q.data.info.user} (${q.data.info.uid})`],
              ['Parent', <Link key="p" href={`/processes?pid=${q.data.info.ppid}`} className="text-accent-300 hover:underline">{q.data.info.ppid}</Link>],
              ['State', q.data.info.state],
              ['Threads', q.data.info.threads],
              ['RSS', formatBytes(q.data.info.rssBytes)],
              ['Started', q.data.info.startTimeMs ? formatTime(q.data.info.startTimeMs) : '—'],
              ['PID in its namespaces', q.data.info.nspid.join(' → ')],
            ]}
          />
          <div>
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Cgroups</h3>
            <ul className="space-y-1">
              {q.data.cgroups.map((c) => (
                <li key={c.hierarchyId} className="flex items-baseline gap-2">
                  <span className="w-24 shrink-0 truncate text-xs text-zinc-500">{c.controllers.join(',') || 'unified'}</span>
                  <Link href={`/cgroups?path=${encodeURIComponent(c.managedPath || c.path)}`} className="break-all font-mono text-xs text-accent-300 hover:underline">
                    {c.path}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Namespaces</h3>
            {q.data.namespaces ? (
              <ul className="grid grid-cols-2 gap-1" data-testid="process-namespaces">
                {Object.entries(q.data.namespaces.namespaces).map(([type, inode]) => {
                  const differs = q.data.namespaces!.differsFromReference.includes(type as never);
                  return (
                    <li key={type} className="flex items-center gap-2">
                      <span className="w-12 text-xs text-zinc-500">{type}</span>
                      {inode ? (
                        <Link href={`/namespaces?inode=${inode}`} className="tabular font-mono text-xs text-accent-300 hover:underline">
                          {inode}
                        </Link>
                      ) : (
                        <span className="text-xs text-zinc-600">hidden</span>
                      )}
                      {differs && <Badge tone="violet" title="not the host's namespace">own</Badge>}
                    </li>
                  );
                })}
              </ul>
            ) : (
              <p className="text-xs text-zinc-500">Not readable.</p>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
