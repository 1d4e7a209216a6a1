'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field, SelectField } from '@/components/ui/Field';
import { formatBytes } from '@/server/lib/units';
import { guessFormat, uploadImage, type ArchiveFormat } from './uploadImage';

function useRefreshImages() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.images.pathKey() });
}

/** Upload a `docker save` / OCI archive tarball, with progress. */
export function ImportDialog({ open, onClose, onImported, tagRequired }: { open: boolean; onClose: () => void; onImported: (ref: string) => void; tagRequired: boolean }) {
  const refresh = useRefreshImages();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ArchiveFormat>('docker-archive');
  const [tag, setTag] = useState('');
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const close = () => {
    abort.current?.abort();
    setFile(null);
    setTag('');
    setProgress(null);
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setError('choose a tarball first');
    if (tagRequired && !tag.trim()) return setError('give the image a name (name:tag)');
    setError(null);
    setBusy(true);
    abort.current = new AbortController();
    try {
      const ref = await uploadImage(file, { format, tag: tag.trim() || undefined, signal: abort.current.signal, onProgress: (sent, total) => setProgress({ sent, total }) });
      void refresh();
      onImported(ref);
      close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      abort.current = null;
    }
  };
  const pct = progress && progress.total ? Math.round((progress.sent / progress.total) * 100) : 0;

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Import an image tarball"
      footer={
        <>
          <Button variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="image-import" busy={busy} disabled={!file}>
            Import
          </Button>
        </>
      }
    >
      <form id="image-import" onSubmit={(e) => void submit(e)} className="space-y-3" noValidate>
        <p className="text-sm text-zinc-400">What `docker save` or `skopeo copy … docker-archive:` writes, or an OCI archive.</p>
        <div className="flex flex-col gap-1">
          <label htmlFor="image-file" className="text-xs font-medium text-zinc-400">
            Tarball
          </label>
          <input
            id="image-file"
            type="file"
            accept=".tar,.tar.gz,.tgz,application/x-tar"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f) setFormat(guessFormat(f.name));
            }}
            className="text-sm text-zinc-300 file:mr-3 file:rounded-md file:border file:border-zinc-700 file:bg-zinc-800 file:px-3 file:py-1.5 file:text-sm file:text-zinc-100 hover:file:bg-zinc-700"
          />
          {file && <p className="text-xs text-zinc-500">{formatBytes(file.size)}</p>}
        </div>
        <SelectField label="Format" value={format} onChange={(e) => setFormat(e.target.value as ArchiveFormat)}>
          <option value="docker-archive">docker-archive (docker save)</option>
          <option value="oci-archive">oci-archive</option>
        </SelectField>
        <Field label="Name" placeholder={tagRequired ? 'myapp:v1 (required)' : "the archive's own tag"} value={tag} onChange={(e) => setTag(e.target.value)} autoComplete="off" />
        {progress && (
          <div>
            <div className="mb-1 flex justify-between text-xs text-zinc-400">
              <span>{pct < 100 ? 'Uploading' : 'Unpacking on the server…'}</span>
              <span className="tabular">
                {formatBytes(progress.sent)} / {formatBytes(progress.total)}
              </span>
            </div>
            <div className="h-2 overflow-hidden rounded bg-zinc-800" role="progressbar" aria-label="upload" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <div className="h-full rounded bg-accent-500" style={{ width: `${pct}%` }} />
            </div>
          </div>
        )}
        {error && (
          <p role="alert" className="text-sm text-red-400">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}

export function PullDialog({ open, onClose, onPulled }: { open: boolean; onClose: () => void; onPulled: (ref: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshImages();
  const [ref, setRef] = useState('');
  const pull = useMutation(
    trpc.images.pull.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        onPulled(r.image);
        setRef('');
        onClose();
      },
    }),
  );
  const errors = fieldErrors(pull.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    pull.mutate({ ref: ref.trim() });
  };
  return (
    <Dialog
      open={open}
      onClose={() => {
        pull.reset();
        onClose();
      }}
      title="Pull from a registry"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="image-pull" busy={pull.isPending} disabled={!ref.trim()}>
            Pull
          </Button>
        </>
      }
    >
      <form id="image-pull" onSubmit={submit} className="space-y-3" noValidate>
        <Field label="Image" placeholder="docker.io/library/alpine:3.20" value={ref} onChange={(e) => setRef(e.target.value)} error={errors.ref ?? errors.image} autoComplete="off" autoFocus />
        <p className="text-xs text-zinc-500">skopeo copies it into the local store. A host without registry access says so; import a tarball instead.</p>
        {pull.error && !errors.ref && !errors.image && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(pull.error)}
          </p>
        )}
      </form>
    </Dialog>
  );
}

export function TagDialog({ source, onClose }: { source: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshImages();
  const [target, setTarget] = useState('');
  const tag = useMutation(
    trpc.images.tag.mutationOptions({
      onSuccess: () => {
        void refresh();
        setTarget('');
        onClose();
      },
    }),
  );
  const errors = fieldErrors(tag.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (source) tag.mutate({ source, target: target.trim() });
  };
  return (
    <Dialog
      open={source !== null}
      onClose={() => {
        tag.reset();
        onClose();
      }}
      title={`Tag ${source ?? ''}`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="image-tag" busy={tag.isPending} disabled={!target.trim()}>
            Tag
          </Button>
        </>
      }
    >
      <form id="image-tag" onSubmit={submit} className="space-y-3" noValidate>
        <Field label="New name" placeholder="myapp:v1" value={target} onChange={(e) => setTarget(e.target.value)} error={errors.target} autoComplete="off" autoFocus />
        {tag.error && !errors.target && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(tag.error)}
          </p>
        )}
      </form>
    </Dialog>
  );
}

export function RemoveImageDialog({ imageRef, onClose, onRemoved }: { imageRef: string | null; onClose: () => void; onRemoved: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshImages();
  const remove = useMutation(
    trpc.images.remove.mutationOptions({
      onSuccess: () => {
        void refresh();
        onRemoved();
        onClose();
      },
    }),
  );
  return (
    <Dialog
      open={imageRef !== null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={`Remove ${imageRef ?? ''}?`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => imageRef && remove.mutate({ ref: imageRef })}>
            Remove
          </Button>
        </>
      }
    >
      <p className="text-sm text-zinc-300">The tag is removed; the image&apos;s layers go with its last tag. An image a container was made from stays until that container is removed.</p>
      {remove.error && (
        <p role="alert" className="mt-2 text-sm text-red-400">
          {errorMessage(remove.error)}
        </p>
      )}
    </Dialog>
  );
}
