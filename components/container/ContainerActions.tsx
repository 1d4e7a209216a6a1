'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage } from '@/components/ui/errors';
import type { ContainerState } from '@/server/runtime';
import { actionsFor } from './format';

type Action = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/**
 * Start/stop/restart/pause/unpause/remove for one container, the buttons its state allows.
 * Remove asks first; a live container can only go with "force" (it is killed).
 */
export function ContainerActions({ container, size = 'sm', compact = false, onRemoved, canWrite }: {
  container: { id: string; name: string; state: ContainerState };
  size?: 'sm' | 'md';
  /** In a table row: no Restart (it is on the container's page), to keep rows narrow. */
  compact?: boolean;
  onRemoved?: () => void;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState(false);
  const [force, setForce] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.containers.pathKey() });
  const options = { onSettled: () => void refresh() };
  const mutations = {
    start: useMutation(trpc.containers.start.mutationOptions(options)),
    stop: useMutation(trpc.containers.stop.mutationOptions(options)),
    restart: useMutation(trpc.containers.restart.mutationOptions(options)),
    pause: useMutation(trpc.containers.pause.mutationOptions(options)),
    unpause: useMutation(trpc.containers.unpause.mutationOptions(options)),
  };
  const remove = useMutation(
    trpc.containers.remove.mutationOptions({
      onSuccess: () => {
        setRemoving(false);
        onRemoved?.();
      },
      onSettled: () => void refresh(),
    }),
  );
  const allowed = actionsFor(container.state);
  const busy = Object.values(mutations).some((m) => m.isPending);
  const failed = Object.values(mutations).find((m) => m.error)?.error;
  if (!canWrite) return null;

  const button = (action: Action, label: string) =>
    allowed[action] && (
      <Button
        key={action}
        size={size}
        variant={action === 'start' ? 'primary' : 'secondary'}
        busy={mutations[action].isPending}
        disabled={busy && !mutations[action].isPending}
        onClick={(e) => {
          e.stopPropagation();
          for (const m of Object.values(mutations)) m.reset();
          mutations[action].mutate({ ref: container.id });
        }}
        aria-label={`${label} ${container.name}`}
      >
        {label}
      </Button>
    );

  return (
    <div className="flex flex-col items-end gap-1" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <div className="flex items-center gap-1.5">
        {button('start', 'Start')}
        {button('stop', 'Stop')}
        {!compact && button('restart', 'Restart')}
        {button('pause', 'Pause')}
        {button('unpause', 'Unpause')}
        <Button
          size={size}
          variant="ghost"
          aria-label={`Remove ${container.name}`}
          onClick={() => {
            remove.reset();
            setForce(false);
            setRemoving(true);
          }}
        >
          Remove
        </Button>
      </div>
      {failed && (
        <p role="alert" className="max-w-md text-right text-xs text-red-400">
          {errorMessage(failed)}
        </p>
      )}
      <Dialog
        open={removing}
        onClose={() => setRemoving(false)}
        title={`Remove ${container.name}?`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setRemoving(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={remove.isPending} disabled={allowed.removeNeedsForce && !force} onClick={() => remove.mutate({ ref: container.id, force })}>
              Remove
            </Button>
          </>
        }
      >
        <p className="text-sm text-zinc-300">Its bundle, logs, cgroup, network attachment and published ports are deleted. Images stay.</p>
        {allowed.removeNeedsForce ? (
          <label className="mt-3 flex items-start gap-2 text-sm text-amber-200">
            <input type="checkbox" className="mt-0.5" checked={force} onChange={(e) => setForce(e.target.checked)} />
            <span>It is {container.state}: kill it (SIGKILL) and remove it anyway.</span>
          </label>
        ) : null}
        {remove.error && (
          <p role="alert" className="mt-2 text-sm text-red-400">
            {errorMessage(remove.error)}
          </p>
        )}
      </Dialog>
    </div>
  );
}
