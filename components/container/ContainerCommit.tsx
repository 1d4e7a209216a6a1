'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';

/**
 * `docker commit`: the container's file system changes become a new image layer with its
 * command and environment. A running container is paused while its files are read.
 */
export function ContainerCommit({ containerRef, name, canWrite }: { containerRef: string; name: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState(`${name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}:snapshot`);
  const [message, setMessage] = useState('');
  const commit = useMutation(trpc.containers.commit.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.images.pathKey() }) }));
  const errors = fieldErrors(commit.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commit.mutate({ ref: containerRef, target: target.trim(), message: message.trim() || undefined });
  };
  return (
    <Card title="Commit to an image">
      <form onSubmit={submit} noValidate className="max-w-2xl space-y-3" aria-label="Commit">
        <p className="text-sm text-zinc-400">Saves what changed in this container&apos;s files as a new image, with its command and environment. A running container is paused for the moment it takes.</p>
        <Field label="Image name" placeholder="myapp:v2" value={target} onChange={(e) => setTarget(e.target.value)} error={errors.target} hint="name[:tag]; an existing tag moves to the new image" disabled={!canWrite} />
        <Field label="Message" placeholder="what changed" value={message} onChange={(e) => setMessage(e.target.value)} error={errors.message} disabled={!canWrite} />
        {commit.error && !errors.target && !errors.message && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(commit.error)}
          </p>
        )}
        {commit.data && (
          <p role="status" className="text-sm text-emerald-400">
            Committed as{' '}
            <Link href={`/images?ref=${encodeURIComponent(commit.data.image)}`} className="font-mono underline">
              {commit.data.image}
            </Link>
            .
          </p>
        )}
        {canWrite && (
          <Button type="submit" variant="primary" busy={commit.isPending} disabled={!target.trim()}>
            Commit
          </Button>
        )}
      </form>
    </Card>
  );
}
