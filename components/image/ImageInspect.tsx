'use client';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/app/trpc';
import { joinArgv } from '@/components/container/argv';
import { Button } from '@/components/ui/Button';
import { Card, DefinitionList } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';

const none = <span className="text-zinc-500">—</span>;

/** One image: layers, run config and history, as its manifest and config blob say. */
export function ImageInspect({ imageRef, onClose }: { imageRef: string; onClose: () => void }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.images.inspect.queryOptions({ ref: imageRef }));
  const body = () => {
    if (q.isPending) return <SkeletonRows rows={8} />;
    if (q.error) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
    const d = q.data;
    const c = d.config.config ?? {};
    return (
      <div className="space-y-5 text-sm">
        <DefinitionList
          items={[
            ['Tags', d.repoTags.length ? d.repoTags.map((t) => <div key={t} className="font-mono text-xs">{t}</div>) : none],
            ['ID', <span key="id" className="font-mono text-xs">{d.id}</span>],
            ['Config digest', <span key="d" className="break-all font-mono text-[11px]">{d.digest}</span>],
            ['Manifest', <span key="m" className="break-all font-mono text-[11px]">{d.manifestDigest}</span>],
            ['Platform', `${d.os}/${d.architecture}`],
            ['Created', d.created ? formatTime(Date.parse(d.created)) : none],
            ['Author', d.author ?? none],
            ['Size', formatBytes(d.sizeBytes)],
          ]}
        />
        <section>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">Run config</h3>
          <DefinitionList
            items={[
              ['Entrypoint', c.Entrypoint?.length ? <span key="e" className="font-mono text-xs">{joinArgv(c.Entrypoint)}</span> : none],
              ['Cmd', c.Cmd?.length ? <span key="c" className="font-mono text-xs">{joinArgv(c.Cmd)}</span> : none],
              ['Env', c.Env?.length ? c.Env.map((e) => <div key={e} className="break-all font-mono text-xs">{e}</div>) : none],
              ['Working dir', c.WorkingDir || none],
              ['User', c.User || none],
              ['Exposed ports', c.ExposedPorts ? Object.keys(c.ExposedPorts).join(', ') : none],
              ['Volumes', c.Volumes ? Object.keys(c.Volumes).join(', ') : none],
              ['Labels', c.Labels && Object.keys(c.Labels).length ? Object.entries(c.Labels).map(([k, v]) => <div key={k} className="break-all font-mono text-xs">{`${k}=${v}`}</div>) : none],
              ['Stop signal', c.StopSignal ?? none],
            ]}
          />
        </section>
        <section>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">Layers ({d.layers.length})</h3>
          <ol className="space-y-1">
            {d.layers.map((l, i) => (
              <li key={`${l.digest}-${i}`} className="flex items-baseline justify-between gap-3 font-mono text-[11px]">
                <span className="min-w-0 truncate text-zinc-300" title={`${l.digest} (${l.mediaType})`}>
                  {i + 1}. {l.digest.replace(/^sha256:/, '').slice(0, 24)}…
                </span>
                <span className="tabular shrink-0 text-zinc-400">{formatBytes(l.sizeBytes)}</span>
              </li>
            ))}
          </ol>
        </section>
        <section>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">History ({d.history.length}, newest first)</h3>
          {d.history.length === 0 ? (
            <p className="text-zinc-500">No history recorded.</p>
          ) : (
            <ol className="space-y-2" data-testid="image-history">
              {[...d.history].reverse().map((h, i) => (
                <li key={i} className="rounded border border-zinc-800 px-3 py-2 text-xs">
                  <div className="flex justify-between gap-2 text-zinc-500">
                    <span>{h.created ? formatTime(Date.parse(h.created)) : 'unknown time'}</span>
                    <span>{h.empty_layer ? 'no layer' : 'layer'}</span>
                  </div>
                  {h.created_by && <div className="mt-1 break-all font-mono text-zinc-300">{h.created_by}</div>}
                  {h.comment && <div className="mt-1 text-zinc-400">{h.comment}</div>}
                  {h.author && <div className="mt-1 text-zinc-500">by {h.author}</div>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    );
  };
  return (
    <Card
      title={<span className="font-mono">{imageRef}</span>}
      actions={
        <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close image details">
          Close
        </Button>
      }
      className="xl:sticky xl:top-4 xl:max-h-[calc(100vh-2rem)] xl:overflow-auto"
    >
      <div data-testid="image-inspect">{body()}</div>
    </Card>
  );
}
