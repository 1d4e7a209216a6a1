'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { Interfaces } from './Interfaces';

export function NamespaceMembers({ inode, onClose }: { inode: number; onClose: () => void }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.namespaces.get.queryOptions({ inode }), refetchInterval: 5000 });
  return (
    <Card title={q.data ? `${q.data.type} namespace ${inode}` : `Namespace ${inode}`} actions={<Button size="sm" variant="ghost" onClick={onClose}>Close</Button>}>
      {q.isPending ? (
        <SkeletonRows rows={4} />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : (
        <div className="space-y-4">
          <div>
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Members ({q.data.members.length})</h3>
            <ul className="max-h-72 space-y-1 overflow-auto text-sm" data-testid="namespace-members">
              {q.data.members.map((m) => (
                <li key={m.pid} className="flex gap-2">
                  <Link href={`/processes?pid=${m.pid}`} className="tabular w-14 shrink-0 text-right font-mono text-xs text-accent-300 hover:underline">
                    {m.pid}
                  </Link>
                  <span className="w-16 shrink-0 truncate text-xs text-zinc-500">{m.user}</span>
                  <span className="truncate font-mono text-xs text-zinc-300">{m.command}</span>
                </li>
              ))}
            </ul>
          </div>
          {q.data.type === 'net' && q.data.members[0] && (
            <div>
              <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Interfaces</h3>
              <Interfaces target={{ pid: q.data.members[0].pid }} />
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
