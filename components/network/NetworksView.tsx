'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';

type Network = RouterOutputs['networks']['list'][number];

function CreateNetworkDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', subnet: '', gateway: '' });
  const create = useMutation(
    trpc.networks.create.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
        setForm({ name: '', subnet: '', gateway: '' });
        onClose();
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: form.name.trim(), subnet: form.subnet.trim() || undefined, gateway: form.gateway.trim() || undefined });
  };
  const placed = errors.name || errors.subnet || errors.gateway;
  return (
    <Dialog
      open={open}
      onClose={() => {
        create.reset();
        onClose();
      }}
      title="New network"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="network-create" busy={create.isPending} disabled={!form.name.trim()}>
            Create
          </Button>
        </>
      }
    >
      <form id="network-create" onSubmit={submit} noValidate className="space-y-3">
        <p className="text-sm text-zinc-400">A Linux bridge with its own subnet; containers on it reach each other by name and the outside through NAT.</p>
        <Field label="Name" placeholder="backend" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" autoFocus hint="lowercase letters, digits, _ . -" />
        <Field label="Subnet" placeholder="next free /24" value={form.subnet} onChange={(e) => setForm({ ...form, subnet: e.target.value })} error={errors.subnet} autoComplete="off" hint="IPv4 CIDR, e.g. 10.90.0.0/24" />
        <Field label="Gateway" placeholder="first address of the subnet" value={form.gateway} onChange={(e) => setForm({ ...form, gateway: e.target.value })} error={errors.gateway} autoComplete="off" />
        {create.error && !placed && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(create.error)}
          </p>
        )}
      </form>
    </Dialog>
  );
}

function RemoveNetworkDialog({ network, onClose }: { network: Network | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.networks.remove.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
        onClose();
      },
    }),
  );
  return (
    <Dialog
      open={network !== null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={`Remove network ${network?.name ?? ''}?`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => network && remove.mutate({ name: network.name })}>
            Remove
          </Button>
        </>
      }
    >
      <p className="text-sm text-zinc-300">Its bridge and firewall rules are deleted. A network with containers attached cannot be removed.</p>
      {remove.error && (
        <p role="alert" className="mt-2 text-sm text-red-400">
          {errorMessage(remove.error)}
        </p>
      )}
    </Dialog>
  );
}

function NetworkCard({ n, isAdmin, onRemove }: { n: Network; isAdmin: boolean; onRemove: () => void }) {
  return (
    <section className="rounded-lg border border-zinc-800 bg-zinc-900/60" aria-label={`network ${n.name}`} data-testid={`network-${n.name}`}>
      <header className="flex items-start justify-between gap-2 border-b border-zinc-800 px-4 py-3">
        <div className="min-w-0">
          <h2 className="flex items-center gap-2 text-base font-semibold text-zinc-100">
            {n.name}
            {n.isDefault && <Badge tone="accent">default</Badge>}
          </h2>
          <p className="text-xs text-zinc-500">
            {n.driver} · created {formatTime(n.createdAt)}
          </p>
        </div>
        {isAdmin && !n.isDefault && (
          <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove network ${n.name}`}>
            Remove
          </Button>
        )}
      </header>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 px-4 py-3 text-sm">
        <dt className="text-zinc-500">Subnet</dt>
        <dd className="font-mono text-zinc-200">{n.subnet}</dd>
        <dt className="text-zinc-500">Gateway</dt>
        <dd className="font-mono text-zinc-200">{n.gateway}</dd>
        <dt className="text-zinc-500">Bridge</dt>
        <dd className="font-mono text-zinc-200">{n.bridge}</dd>
        <dt className="text-zinc-500">NAT</dt>
        <dd className="text-zinc-200">{n.ipMasq ? 'masquerade outgoing' : 'off'}</dd>
        <dt className="text-zinc-500">MTU</dt>
        <dd className="text-zinc-200">{n.mtu ?? 'default (1500)'}</dd>
      </dl>
      <div className="border-t border-zinc-800 px-4 py-3">
        <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">Containers ({n.containers.length})</h3>
        {n.containers.length === 0 ? (
          <p className="text-sm text-zinc-500">None attached.</p>
        ) : (
          <table className="w-full text-sm" aria-label={`containers on ${n.name}`}>
            <thead className="text-left text-xs text-zinc-500">
              <tr>
                <th className="py-1 pr-3 font-medium">Name</th>
                <th className="py-1 pr-3 font-medium">Address</th>
                <th className="py-1 pr-3 font-medium">Interface</th>
                <th className="py-1 font-medium">Ports</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-800/70">
              {n.containers.map((c) => (
                <tr key={c.containerId}>
                  <td className="py-1 pr-3">
                    <Link href={`/containers/${c.containerId}`} className="text-zinc-100 hover:text-accent-300 hover:underline">
                      {c.containerName}
                    </Link>
                  </td>
                  <td className="py-1 pr-3 font-mono text-xs">{c.address ?? <span className="text-amber-300">setting up</span>}</td>
                  <td className="py-1 pr-3 font-mono text-xs text-zinc-400">
                    {c.ifName}
                    {c.hostVeth ? ` ↔ ${c.hostVeth}` : ''}
                  </td>
                  <td className="py-1 font-mono text-xs text-zinc-400">{c.ports.map((p) => `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

export function NetworksView() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const isAdmin = me.data?.user?.role === 'admin';
  const list = useQuery({ ...trpc.networks.list.queryOptions(), refetchInterval: 5000 });
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<Network | null>(null);

  return (
    <>
      <PageHeader
        title="Networks"
        description={isAdmin ? 'Bridge networks (CNI bridge, host-local IPAM, portmap). Containers attach to one when they get a new network namespace.' : 'The networks your containers can join, with your containers on each.'}
        actions={isAdmin && <Button variant="primary" onClick={() => setCreating(true)}>New network</Button>}
      />
      {list.isPending ? (
        <SkeletonRows rows={6} />
      ) : list.error ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No networks" action={isAdmin && <Button variant="primary" onClick={() => setCreating(true)}>Create a network</Button>}>
          The default network appears when the server sets up container networking.
        </EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
          {list.data.map((n) => (
            <NetworkCard key={n.name} n={n} isAdmin={isAdmin} onRemove={() => setRemoving(n)} />
          ))}
        </div>
      )}
      <CreateNetworkDialog open={creating} onClose={() => setCreating(false)} />
      <RemoveNetworkDialog network={removing} onClose={() => setRemoving(null)} />
    </>
  );
}
