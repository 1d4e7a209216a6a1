'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import type { CgroupDetail } from '@/server/cgroup/model';

type Open = null | 'create' | 'move' | 'remove';

function childRef(parent: CgroupDetail, name: string): string {
  const base = parent.managedPath !== null ? parent.managedPath : parent.ref;
  if (base === '') return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** Create a child, move a process in, remove: each in a dialog that shows the server's error. */
export function CgroupActions({ detail, onDeleted }: { detail: CgroupDetail; onDeleted: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Open>(null);
  const [name, setName] = useState('');
  const [pid, setPid] = useState('');
  const [kill, setKill] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const managed = detail.managedPath !== null;
  const allowUnmanaged = !managed && confirm;
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.cgroups.pathKey() });

  const close = () => {
    setOpen(null);
    create.reset();
    move.reset();
    remove.reset();
  };
  const create = useMutation(
    trpc.cgroups.create.mutationOptions({
      onSuccess: (d) => {
        void invalidate();
        close();
        router.push(`/cgroups?path=${encodeURIComponent(d.ref)}`);
      },
    }),
  );
  const move = useMutation(trpc.cgroups.move.mutationOptions({ onSuccess: () => { void invalidate(); close(); } }));
  const remove = useMutation(trpc.cgroups.remove.mutationOptions({ onSuccess: () => { void invalidate(); close(); onDeleted(); } }));

  const unmanagedConfirm = !managed && (
    <label className="mt-3 flex items-start gap-2 text-sm text-amber-200">
      <input type="checkbox" className="mt-0.5" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
      This cgroup was not made by cgdash; go ahead anyway.
    </label>
  );

  return (
    <>
      <Button onClick={() => setOpen('create')}>New child</Button>
      <Button onClick={() => setOpen('move')}>Move process</Button>
      <Button variant="danger" onClick={() => setOpen('remove')} disabled={detail.ref === '/' || detail.managedPath === ''}>
        Remove
      </Button>

      <Dialog
        open={open === 'create'}
        onClose={close}
        title="New cgroup"
        footer={
          <>
            <Button onClick={close} variant="ghost">Cancel</Button>
            <Button variant="primary" type="submit" form="create-cgroup" busy={create.isPending}>Create</Button>
          </>
        }
      >
        <form id="create-cgroup" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate({ path: childRef(detail, name.trim()), allowUnmanaged }); }}>
          <Field label="Name" autoFocus value={name} onChange={(e) => setName(e.target.value)} hint={`Created below ${detail.ref} in every hierarchy.`} error={fieldErrors(create.error).path ?? (create.error ? errorMessage(create.error) : null)} />
          {unmanagedConfirm}
        </form>
      </Dialog>

      <Dialog
        open={open === 'move'}
        onClose={close}
        title={`Move a process into ${detail.ref}`}
        footer={
          <>
            <Button onClick={close} variant="ghost">Cancel</Button>
            <Button variant="primary" type="submit" form="move-process" busy={move.isPending}>Move</Button>
          </>
        }
      >
        <form id="move-process" onSubmit={(e: FormEvent) => { e.preventDefault(); move.mutate({ pid: Number(pid), path: detail.ref, allowUnmanaged }); }}>
          <Field label="PID" inputMode="numeric" autoFocus value={pid} onChange={(e) => setPid(e.target.value)} error={fieldErrors(move.error).pid ?? (move.error ? errorMessage(move.error) : null)} />
          {unmanagedConfirm}
        </form>
      </Dialog>

      <Dialog
        open={open === 'remove'}
        onClose={close}
        title={`Remove ${detail.ref}?`}
        footer={
          <>
            <Button onClick={close} variant="ghost">Cancel</Button>
            <Button variant="danger" onClick={() => remove.mutate({ path: detail.ref, kill, allowUnmanaged })} busy={remove.isPending}>
              Remove
            </Button>
          </>
        }
      >
        <p className="text-sm text-zinc-300">The cgroup and its children are removed from every hierarchy.</p>
        {detail.pids.length > 0 && (
          <label className="mt-3 flex items-start gap-2 text-sm text-zinc-300">
            <input type="checkbox" className="mt-0.5" checked={kill} onChange={(e) => setKill(e.target.checked)} />
            Kill its {detail.pids.length} process{detail.pids.length === 1 ? '' : 'es'} first (otherwise removal is refused).
          </label>
        )}
        {unmanagedConfirm}
        {remove.error && <p role="alert" className="mt-3 text-sm text-red-400">{errorMessage(remove.error)}</p>}
      </Dialog>
    </>
  );
}
