'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage } from '@/components/ui/errors';
import { SelectField } from '@/components/ui/Field';

/** Admins move a container into another tenant's slice (or out of any), while it runs. */
export function ContainerMove({ container }: { container: { id: string; name: string; tenant: string | null } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [tenant, setTenant] = useState(container.tenant ?? '');
  const tenants = useQuery({ ...trpc.tenants.list.queryOptions(), enabled: open });
  const move = useMutation(
    trpc.containers.move.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        void queryClient.invalidateQueries({ queryKey: trpc.containers.pathKey() });
      },
    }),
  );
  return (
    <>
      <Button size="md" onClick={() => setOpen(true)}>
        Move…
      </Button>
      <Dialog
        open={open}
        onClose={() => {
          setOpen(false);
          move.reset();
        }}
        title={`Move ${container.name}`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary" busy={move.isPending} disabled={(tenant || null) === container.tenant} onClick={() => move.mutate({ ref: container.id, tenant: tenant || null })}>
              Move
            </Button>
          </>
        }
      >
        <SelectField label="Tenant" value={tenant} onChange={(e) => setTenant(e.target.value)}>
          <option value="">none (the host&apos;s containers)</option>
          {tenants.data?.map((t) => (
            <option key={t.tenant.name} value={t.tenant.name}>
              {t.tenant.displayName ?? t.tenant.name}
            </option>
          ))}
        </SelectField>
        <p className="mt-3 text-sm text-zinc-400">
          Its processes move into the new slice at once, with the same limits. It keeps the user namespace it was created with until it is recreated.
        </p>
        {move.error && <p role="alert" className="mt-2 text-sm text-red-400">{errorMessage(move.error)}</p>}
      </Dialog>
    </>
  );
}
