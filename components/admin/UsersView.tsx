'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field, SelectField } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';

type User = RouterOutputs['users']['list'][number];

function CreateUser({ tenants }: { tenants: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', role: 'member' as 'admin' | 'member' | 'viewer', tenant: '', password: '' });
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        setForm({ name: '', role: 'member', tenant: '', password: '' });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ ...form, tenant: form.tenant || null });
  };
  return (
    <Card title="New user">
      <form onSubmit={submit} className="space-y-3" noValidate>
        <Field label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} autoComplete="off" />
        <SelectField label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as typeof form.role })} error={errors.role}>
          <option value="member">tenant member: runs containers in one tenant&apos;s slice</option>
          <option value="viewer">viewer: reads, changes nothing</option>
          <option value="admin">admin: everything</option>
        </SelectField>
        <SelectField label="Tenant" value={form.tenant} onChange={(e) => setForm({ ...form, tenant: e.target.value })} error={errors.tenant}>
          <option value="">{form.role === 'viewer' ? 'all tenants (the whole host)' : 'none'}</option>
          {tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
        <Field label="Password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} error={errors.password} hint="At least 10 characters; they can change it under Settings." />
        {create.error && !Object.keys(errors).length && <p role="alert" className="text-sm text-red-400">{errorMessage(create.error)}</p>}
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create user
        </Button>
      </form>
    </Card>
  );
}

export function UsersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const tenants = useQuery(trpc.tenants.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const disable = useMutation(trpc.users.disable.mutationOptions({ onSuccess: () => void refresh() }));
  const enable = useMutation(trpc.users.enable.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.users.remove.mutationOptions({ onSuccess: () => void refresh() }));
  const error = disable.error ?? enable.error ?? remove.error;

  const columns: Column<User>[] = [
    { key: 'name', header: 'Name', cell: (u) => <span className="font-medium text-zinc-100">{u.name}</span>, sortValue: (u) => u.name },
    { key: 'role', header: 'Role', cell: (u) => <Badge tone={u.role === 'admin' ? 'accent' : u.role === 'member' ? 'green' : 'neutral'}>{u.role}</Badge>, sortValue: (u) => u.role },
    { key: 'tenant', header: 'Tenant', cell: (u) => u.tenant ?? <span className="text-zinc-500">—</span>, sortValue: (u) => u.tenant },
    { key: 'status', header: 'Status', cell: (u) => (u.disabled ? <Badge tone="red">disabled</Badge> : u.hasPassword ? <Badge tone="green">active</Badge> : <Badge tone="amber">no password yet</Badge>) },
    { key: 'created', header: 'Created', cell: (u) => formatTime(u.createdAt), sortValue: (u) => u.createdAt },
    {
      key: 'actions',
      header: '',
      cell: (u) =>
        u.id === me.data?.user?.userId ? (
          <span className="text-xs text-zinc-500">you</span>
        ) : (
          <div className="flex justify-end gap-1">
            {u.disabled ? (
              <Button size="sm" onClick={() => enable.mutate({ id: u.id })}>Enable</Button>
            ) : (
              <Button size="sm" onClick={() => disable.mutate({ id: u.id })} title="ends their sessions and revokes their API tokens">
                Disable
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => remove.mutate({ id: u.id })}>
              Remove
            </Button>
          </div>
        ),
    },
  ];

  return (
    <>
      <PageHeader title="Users" description="Who may log in, and what they see. Disabling a user ends their sessions and revokes their tokens at once." />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-3">
          {error && <p role="alert" className="text-sm text-red-400">{errorMessage(error)}</p>}
          {users.isPending ? <SkeletonRows /> : users.error ? <ErrorState error={users.error} retry={() => void users.refetch()} /> : <DataTable label="users" rows={users.data} columns={columns} rowKey={(u) => u.id} initialSort={{ key: 'name', dir: 'asc' }} />}
        </div>
        <CreateUser tenants={(tenants.data ?? []).map((t) => t.tenant.name)} />
      </div>
    </>
  );
}
