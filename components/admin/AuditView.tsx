'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterInputs, type RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { DataTable, type Column } from '@/components/ui/DataTable';
import { errorMessage } from '@/components/ui/errors';
import { Field, SelectField } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatTime } from '@/components/ui/time';

type Entry = RouterOutputs['audit']['list'][number];
type Filter = RouterInputs['audit']['list'];

const columns: Column<Entry>[] = [
  { key: 'at', header: 'When', cell: (e) => <span className="whitespace-nowrap">{formatTime(e.at)}</span>, sortValue: (e) => e.at },
  { key: 'user', header: 'Who', cell: (e) => e.userName ?? '—', sortValue: (e) => e.userName },
  { key: 'action', header: 'What', cell: (e) => <span className="font-mono text-xs">{e.action}</span>, sortValue: (e) => e.action },
  { key: 'target', header: 'On', cell: (e) => <span className="font-mono text-xs">{e.target ?? ''}</span>, sortValue: (e) => e.target },
  { key: 'result', header: 'Result', cell: (e) => <Badge tone={e.result === 'ok' ? 'green' : e.result === 'denied' ? 'amber' : 'red'}>{e.result}</Badge>, sortValue: (e) => e.result },
  { key: 'ip', header: 'From', cell: (e) => <span className="font-mono text-xs text-zinc-400">{e.ip}</span> },
  {
    key: 'detail',
    header: 'Details',
    cell: (e) => (
      <details className="max-w-md text-xs">
        <summary className="cursor-pointer text-zinc-400">{e.message ?? (e.params ? 'parameters' : '')}</summary>
        <pre className="mt-1 whitespace-pre-wrap break-all text-zinc-400">{JSON.stringify(e.params, null, 2)}</pre>
      </details>
    ),
  },
];

export function AuditView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ user: '', action: '', result: '' });
  const [filter, setFilter] = useState<Filter>({ limit: 200 });
  const log = useQuery({ ...trpc.audit.list.queryOptions(filter), refetchInterval: 10_000 });
  const [exportError, setExportError] = useState<unknown>(null);

  const apply = () =>
    setFilter({
      limit: 200,
      user: draft.user || undefined,
      action: draft.action || undefined,
      result: (draft.result || undefined) as Filter['result'],
    });

  const download = async () => {
    setExportError(null);
    try {
      const text = await queryClient.fetchQuery(trpc.audit.export.queryOptions({ ...filter, limit: 100_000 }));
      const url = URL.createObjectURL(new Blob([text ? `${text}\n` : ''], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `cgdash-audit-${new Date().toISOString().slice(0, 19)}.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setExportError(err);
    }
  };

  return (
    <>
      <PageHeader title="Audit log" description="Every change made through cgdash: who, when, what, from where, and how it ended." actions={<Button onClick={() => void download()}>Export JSON lines</Button>} />
      <form
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Field label="User" value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })} className="w-40" />
        <Field label="Action starts with" placeholder="cgroups." value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} className="w-48" />
        <SelectField label="Result" value={draft.result} onChange={(e) => setDraft({ ...draft, result: e.target.value })} className="w-36">
          <option value="">any</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
          <option value="denied">denied</option>
        </SelectField>
        <Button type="submit" variant="primary">Filter</Button>
      </form>
      {exportError ? <p role="alert" className="mb-2 text-sm text-red-400">{errorMessage(exportError)}</p> : null}
      {log.isPending ? (
        <SkeletonRows rows={12} />
      ) : log.error ? (
        <ErrorState error={log.error} retry={() => void log.refetch()} />
      ) : log.data.length === 0 ? (
        <EmptyState title="Nothing logged matches">Changes appear here as they happen.</EmptyState>
      ) : (
        <DataTable label="audit log" rows={log.data} columns={columns} rowKey={(e) => e.id} initialSort={{ key: 'at', dir: 'desc' }} />
      )}
    </>
  );
}
