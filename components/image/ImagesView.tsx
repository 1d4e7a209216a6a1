'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { SearchInput } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatAgo, formatTime } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';
import { ImageInspect } from './ImageInspect';
import { ImportDialog, PullDialog, RemoveImageDialog, TagDialog } from './ImageDialogs';

type Image = RouterOutputs['images']['list'][number];

/** The name an image is shown and inspected by: its first tag, else its id. */
export function imageKey(i: Image): string {
  return i.repoTags[0] ?? i.id;
}

const createdMs = (i: Image) => (i.created ? Date.parse(i.created) : null);

export function ImagesView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selected = params.get('ref');
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user;
  const canWrite = user?.role === 'admin' || user?.role === 'member';
  const list = useQuery({ ...trpc.images.list.queryOptions(), refetchInterval: 10_000 });
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const [importing, setImporting] = useState(false);
  const [pulling, setPulling] = useState(false);
  const [tagging, setTagging] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const select = (ref: string | null) => router.push(ref ? `${pathname}?ref=${encodeURIComponent(ref)}` : pathname, { scroll: false });
  const rows = useMemo(() => (list.data ?? []).filter((i) => !deferred || i.id.includes(deferred) || i.repoTags.some((t) => t.toLowerCase().includes(deferred))), [list.data, deferred]);

  const columns: Column<Image>[] = [
    {
      key: 'tags',
      header: 'Repository:tag',
      cell: (i) =>
        i.repoTags.length ? (
          <div className="flex flex-col gap-0.5">
            {i.repoTags.map((t) => (
              <span key={t} className="flex items-center gap-1 font-mono text-xs text-zinc-100">
                {t}
                {canWrite && i.repoTags.length > 1 && (
                  <button
                    type="button"
                    aria-label={`Remove ${t}`}
                    title={`Remove the tag ${t}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      setRemoving(t);
                    }}
                    className="rounded px-1 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
                  >
                    ×
                  </button>
                )}
              </span>
            ))}
          </div>
        ) : (
          <span className="text-zinc-500">&lt;none&gt;</span>
        ),
      sortValue: (i) => i.repoTags[0] ?? '',
      className: 'whitespace-nowrap',
    },
    { key: 'id', header: 'ID', cell: (i) => <span className="font-mono text-xs">{i.id}</span>, sortValue: (i) => i.id },
    { key: 'size', header: 'Size', cell: (i) => formatBytes(i.sizeBytes), sortValue: (i) => i.sizeBytes, align: 'right', className: 'whitespace-nowrap' },
    { key: 'created', header: 'Created', cell: (i) => (i.created ? <span title={formatTime(Date.parse(i.created))}>{formatAgo(Date.parse(i.created))}</span> : '—'), sortValue: createdMs, className: 'whitespace-nowrap' },
    {
      key: 'owner',
      header: 'Tenant',
      cell: (i) => {
        const owners = [...new Set(i.tenants.map((t) => t ?? 'host'))];
        return owners.length ? owners.map((o) => <Badge key={o} tone={o === 'host' ? 'neutral' : 'accent'}>{o}</Badge>) : <span className="text-zinc-500">—</span>;
      },
    },
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      align: 'right',
      cell: (i) =>
        canWrite && (
          <div className="flex justify-end gap-1.5" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
            <Link href={`/containers/new?image=${encodeURIComponent(imageKey(i))}`} className="inline-flex h-7 items-center rounded-md px-2.5 text-xs font-medium text-zinc-300 hover:bg-zinc-800 hover:text-zinc-100">
              Run
            </Link>
            <Button size="sm" onClick={() => setTagging(imageKey(i))} aria-label={`Tag ${imageKey(i)}`}>
              Tag
            </Button>
            {/* One tag: remove it (and the image with it). Several: the whole image, by id; single tags go with their × */}
            <Button size="sm" variant="ghost" onClick={() => setRemoving(i.repoTags.length === 1 ? imageKey(i) : i.id)} aria-label={i.repoTags.length === 1 ? `Remove ${imageKey(i)}` : `Remove image ${i.id}`}>
              Remove
            </Button>
          </div>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Images"
        description="The local OCI image store. The built-in busybox works offline; import tarballs or pull when a registry is reachable."
        actions={
          canWrite && (
            <>
              <Button onClick={() => setPulling(true)}>Pull</Button>
              <Button variant="primary" onClick={() => setImporting(true)}>
                Import tarball
              </Button>
            </>
          )
        }
      />
      <div className="mb-3">
        <SearchInput aria-label="Filter images" placeholder="Filter by name or id…" className="max-w-md" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <div className={selected ? 'grid gap-4 xl:grid-cols-[minmax(0,1fr)_28rem] 2xl:grid-cols-[minmax(0,1fr)_36rem]' : ''}>
        <div className="min-w-0">
          {list.isPending ? (
            <SkeletonRows rows={5} />
          ) : list.error ? (
            <ErrorState error={list.error} retry={() => void list.refetch()} />
          ) : list.data.length === 0 ? (
            <EmptyState title="No images" action={canWrite && <Button variant="primary" onClick={() => setImporting(true)}>Import a tarball</Button>}>
              Import a docker-archive or OCI tarball, or pull one.
            </EmptyState>
          ) : rows.length === 0 ? (
            <EmptyState title="Nothing matches the filter" />
          ) : (
            <DataTable label="images" rows={rows} columns={columns} rowKey={(i) => i.digest} selectedKey={list.data.find((i) => imageKey(i) === selected || i.repoTags.includes(selected ?? ''))?.digest ?? null} initialSort={{ key: 'created', dir: 'desc' }} onRowClick={(i) => select(imageKey(i))} />
          )}
        </div>
        {selected && <ImageInspect key={selected} imageRef={selected} onClose={() => select(null)} />}
      </div>
      <ImportDialog open={importing} onClose={() => setImporting(false)} onImported={select} tagRequired={user?.role === 'member'} />
      <PullDialog open={pulling} onClose={() => setPulling(false)} onPulled={select} />
      <TagDialog source={tagging} onClose={() => setTagging(null)} />
      <RemoveImageDialog imageRef={removing} onClose={() => setRemoving(null)} onRemoved={() => removing === selected && select(null)} />
    </>
  );
}
