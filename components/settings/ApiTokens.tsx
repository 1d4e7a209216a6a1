'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';

export function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.auth.tokens.list.queryOptions());
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.tokens.list.queryKey() });
  const create = useMutation(
    trpc.auth.tokens.create.mutationOptions({
      onSuccess: (r) => {
        setSecret(r.secret);
        setName('');
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.auth.tokens.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSecret(null);
    create.mutate({ name });
  };

  return (
    <Card title="API tokens">
      <form onSubmit={submit} className="mb-4 flex items-end gap-2">
        <Field className="flex-1" label="New token name" placeholder="laptop CLI" value={name} onChange={(e) => setName(e.target.value)} error={fieldErrors(create.error).name} />
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create token
        </Button>
      </form>
      {secret && (
        <div role="status" className="mb-4 rounded-md border border-emerald-500/30 bg-emerald-500/5 p-3 text-sm">
          <p className="text-emerald-300">Copy the token now: it is shown only once.</p>
          <code data-testid="new-token" className="mt-1 block select-all break-all font-mono text-xs text-zinc-100">
            {secret}
          </code>
          <p className="mt-1 text-xs text-zinc-500">Use it as CGDASH_TOKEN for the cgdash CLI, or as a Bearer token.</p>
        </div>
      )}
      {tokens.isPending ? (
        <SkeletonRows rows={3} />
      ) : tokens.error ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet">Create one for the CLI or for scripts.</EmptyState>
      ) : (
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-zinc-500">
            <tr>
              <th className="pb-2 font-medium">Name</th>
              <th className="pb-2 font-medium">Token</th>
              <th className="pb-2 font-medium">Created</th>
              <th className="pb-2 font-medium">Last used</th>
              <th className="pb-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800">
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td className="py-2 text-zinc-200">{t.name}</td>
                <td className="py-2 font-mono text-xs text-zinc-400">{t.prefix}…</td>
                <td className="py-2 text-zinc-400">{formatTime(t.createdAt)}</td>
                <td className="py-2 text-zinc-400">{t.lastUsed ? formatTime(t.lastUsed) : 'never'}</td>
                <td className="py-2 text-right">
                  {t.revokedAt ? (
                    <Badge>revoked</Badge>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => revoke.mutate({ id: t.id })} busy={revoke.isPending && revoke.variables?.id === t.id}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoke.error && <p role="alert" className="mt-2 text-sm text-red-400">{errorMessage(revoke.error)}</p>}
    </Card>
  );
}
