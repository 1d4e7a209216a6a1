'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC, type RouterInputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { ErrorState, SkeletonRows } from '@/components/ui/States';

export function Interfaces({ target }: { target: RouterInputs['namespaces']['interfaces'] }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.namespaces.interfaces.queryOptions(target));
  if (q.isPending) return <SkeletonRows rows={2} />;
  if (q.error) return <ErrorState error={q.error} />;
  return (
    <ul className="space-y-2 text-sm">
      {q.data.map((i) => (
        <li key={i.ifindex}>
          <div className="flex items-center gap-2">
            <span className="font-mono text-zinc-200">{i.ifname}</span>
            {i.kind && <Badge>{i.kind}</Badge>}
            <Badge tone={i.operstate === 'UP' || i.operstate === 'UNKNOWN' ? 'green' : 'neutral'}>{i.operstate.toLowerCase()}</Badge>
            <span className="text-xs text-zinc-500">mtu {i.mtu}</span>
          </div>
          {i.addresses.length > 0 && (
            <div className="ml-2 mt-0.5 flex flex-wrap gap-x-3 font-mono text-xs text-zinc-400">
              {i.addresses.map((a) => (
                <span key={`${a.address}/${a.prefixLength}`}>
                  {a.address}/{a.prefixLength}
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
