'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { Interfaces } from './Interfaces';

/** Named network namespaces (`ip netns`): create, delete, and look inside. */
export function NetnsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.namespaces.netns.list.queryOptions(), refetchInterval: 5000 });
  const [name, setName] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ name: string; owned: boolean } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.namespaces.pathKey() });
  const add = useMutation(trpc.namespaces.netns.add.mutationOptions({ onSuccess: () => { setName(''); void invalidate(); } }));
  const remove = useMutation(trpc.namespaces.netns.remove.mutationOptions({ onSuccess: () => { setRemoving(null); void invalidate(); } }));

  return (
    <Card title="Named network namespaces">
      <form
        className="mb-3 flex items-end gap-2"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          add.mutate({ name: name.trim() });
        }}
      >
        <Field className="flex-1" label="New netns" placeholder="blue" value={name} onChange={(e) => setName(e.target.value)} error={fieldErrors(add.error).name ?? (add.error ? errorMessage(add.error) : null)} />
        <Button type="submit" variant="primary" busy={add.isPending}>
          Add
        </Button>
      </form>
      {list.isPending ? (
        <SkeletonRows rows={2} />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No named network namespaces">As with ip netns add, a named one lives in /run/netns.</EmptyState>
      ) : (
        <ul className="divide-y divide-zinc-800" aria-label="named network namespaces">
          {list.data.map((n) => (
            <li key={n.name} className="py-2">
              <div className="flex items-center gap-2">
                <button className="font-mono text-sm text-zinc-200 hover:text-accent-300" onClick={() => setOpen(open === n.name ? null : n.name)} aria-expanded={open === n.name}>
                  {n.name}
                </button>
                {n.owned ? <Badge tone="accent">cgdash</Badge> : <Badge>external</Badge>}
                <span className="text-xs text-zinc-500">{n.pids.length} proc</span>
                <Button size="sm" variant="ghost" className="ml-auto" onClick={() => setRemoving({ name: n.name, owned: n.owned })}>
                  Delete
                </Button>
              </div>
              {open === n.name && (
                <div className="mt-2 pl-2">
                  <Interfaces target={{ netns: n.name }} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <Dialog
        open={removing !== null}
        onClose={() => { setRemoving(null); remove.reset(); }}
        title={`Delete network namespace ${removing?.name ?? ''}?`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setRemoving(null)}>Cancel</Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => removing && remove.mutate({ name: removing.name, allowUnmanaged: !removing.owned })}>
              Delete
            </Button>
          </>
        }
      >
        <p className="text-sm text-zinc-300">
          {removing?.owned ? 'Its interfaces go with it.' : 'cgdash did not create this namespace: whatever uses it (a container engine, a VPN) loses its network.'}
        </p>
        {remove.error && <p role="alert" className="mt-2 text-sm text-red-400">{errorMessage(remove.error)}</p>}
      </Dialog>
    </Card>
  );
}
