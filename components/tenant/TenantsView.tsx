'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { seesHost } from '@/components/app/nav';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage } from '@/components/ui/errors';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import type { Tenant } from '@/server/tenants/model';
import { TenantCard } from './TenantCard';
import { TenantEditor } from './TenantEditor';
import { TenantsUsageChart } from './TenantsUsageChart';
import { CgroupCharts } from '@/components/monitor/CgroupCharts';

export function TenantsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const list = useQuery({ ...trpc.tenants.list.queryOptions(), refetchInterval: 3000 });
  const [editing, setEditing] = useState<Tenant | 'new' | null>(null);
  const [removing, setRemoving] = useState<{ name: string; containers: number } | null>(null);
  const [force, setForce] = useState(false);
  const remove = useMutation(
    trpc.tenants.remove.mutationOptions({
      onSuccess: () => {
        setRemoving(null);
        void queryClient.invalidateQueries({ queryKey: trpc.tenants.pathKey() });
      },
    }),
  );
  const user = me.data?.user;
  const isAdmin = user?.role === 'admin';
  const host = user ? seesHost(user) : false;

  return (
    <>
      <PageHeader
        title={isAdmin ? 'Tenants' : 'My slice'}
        description={isAdmin ? 'Slices of this host: each tenant gets its own CPUs, memory, I/O and network share, and sees only its slice.' : 'What your tenant may use of this host, and what it uses now.'}
        actions={isAdmin && !editing && <Button variant="primary" onClick={() => setEditing('new')}>New tenant</Button>}
      />
      {editing && (
        <div className="mb-6">
          <TenantEditor key={editing === 'new' ? 'new' : editing.name} tenant={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        </div>
      )}
      {list.isPending ? (
        <SkeletonRows rows={6} />
      ) : list.error ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title={isAdmin ? 'No tenants yet' : 'You belong to no tenant'} action={isAdmin && <Button variant="primary" onClick={() => setEditing('new')}>Create the first tenant</Button>}>
          {isAdmin ? 'Give cgroup #1 to Sally and cgroup #2 to Joe: a tenant is a slice of the host with its own limits and users.' : 'Ask an admin to add you to a tenant.'}
        </EmptyState>
      ) : (
        <>
        <div className="mb-6">
          {isAdmin || list.data.length > 1 ? (
            <TenantsUsageChart tenants={list.data.map((r) => r.tenant.name)} />
          ) : (
            <CgroupCharts cgroupRef={`tenants/${list.data[0]!.tenant.name}`} charts={['cpu', 'memory', 'io', 'pids']} title="Your slice, live" />
          )}
        </div>
        <div className="grid gap-4 md:grid-cols-2 2xl:grid-cols-3">
          {list.data.map((row) => (
            <TenantCard
              key={row.tenant.name}
              row={row}
              showCgroupLink={host}
              actions={
                isAdmin && (
                  <>
                    <Button size="sm" onClick={() => setEditing(row.tenant)}>Edit</Button>
                    <Button size="sm" variant="ghost" onClick={() => { setForce(false); setRemoving({ name: row.tenant.name, containers: row.containers }); }}>
                      Delete
                    </Button>
                  </>
                )
              }
            />
          ))}
        </div>
        </>
      )}
      <Dialog
        open={removing !== null}
        onClose={() => { setRemoving(null); remove.reset(); }}
        title={`Delete tenant ${removing?.name ?? ''}?`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setRemoving(null)}>Cancel</Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => removing && remove.mutate({ name: removing.name, force })}>Delete</Button>
          </>
        }
      >
        <p className="text-sm text-zinc-300">The slice&apos;s cgroup is removed.</p>
        {removing && removing.containers > 0 && (
          <label className="mt-3 flex items-start gap-2 text-sm text-zinc-300">
            <input type="checkbox" className="mt-0.5" checked={force} onChange={(e) => setForce(e.target.checked)} />
            Also remove its {removing.containers} container{removing.containers === 1 ? '' : 's'} and disable its members.
          </label>
        )}
        {remove.error && <p role="alert" className="mt-2 text-sm text-red-400">{errorMessage(remove.error)}</p>}
      </Dialog>
    </>
  );
}
