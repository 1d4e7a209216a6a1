'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Card, DefinitionList } from '@/components/ui/Card';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { CgroupCharts } from '@/components/monitor/CgroupCharts';
import { WhySlowPanel } from '@/components/monitor/WhySlowPanel';
import type { CgroupDetail as Detail, PsiPair } from '@/server/cgroup/model';
import { CgroupActions } from './CgroupActions';
import { IoMaxList } from './IoMaxList';
import { formatBytes, formatCount, formatCpus, formatLimitBytes, formatUsec } from './format';
import { LimitsForm } from './LimitsForm';
import { UsageMeter } from './UsageMeter';

function psiText(p: PsiPair | null | undefined) {
  if (!p) return '—';
  return `some ${p.some.avg10.toFixed(2)} % · full ${p.full ? `${p.full.avg10.toFixed(2)} %` : '—'} (avg10)`;
}

function LimitsCard({ d }: { d: Detail }) {
  const l = d.limits;
  return (
    <Card title="Limits">
      <DefinitionList
        items={[
          ['CPU max', l.cpu ? formatCpus(l.cpu.maxQuotaUs, l.cpu.maxPeriodUs) : 'controller absent'],
          ['CPU weight', l.cpu ? (l.cpu.weight ?? 'default') : '—'],
          ['cpuset cpus', l.cpuset ? `${l.cpuset.cpus || 'inherit'} (effective ${l.cpuset.effectiveCpus ?? '—'})` : 'controller absent'],
          ['cpuset mems', l.cpuset ? `${l.cpuset.mems || 'inherit'} (effective ${l.cpuset.effectiveMems ?? '—'})` : '—'],
          ['Memory max', l.memory ? formatLimitBytes(l.memory.max) : 'controller absent'],
          ['Memory high', l.memory ? formatLimitBytes(l.memory.high) : '—'],
          ['Memory low', l.memory ? (l.memory.low === null ? 'none' : formatBytes(l.memory.low)) : '—'],
          ['Swap max', l.memory ? formatLimitBytes(l.memory.swapMax) : '—'],
          ['Pids max', l.pids ? (l.pids.max ?? 'no limit') : 'controller absent'],
          ['IO weight', l.io ? (l.io.weight ?? 'default') : 'controller absent'],
          ['IO max', <IoMaxList key="io-max" io={l.io} />],
        ]}
      />
    </Card>
  );
}

function UsageCard({ d }: { d: Detail }) {
  const u = d.usage;
  const memMax = d.limits.memory?.max ?? null;
  return (
    <Card title="Usage">
      <div className="space-y-4">
        {u.memory && (
          <div className="space-y-2">
            <UsageMeter label={`Memory ${formatBytes(u.memory.current)}${memMax !== null ? ` of ${formatBytes(memMax)}` : ''}`} used={Number(u.memory.current)} limit={memMax === null ? null : Number(memMax)} />
            <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-400">
              <span>anon {formatBytes(u.memory.anon)}</span>
              <span>file {formatBytes(u.memory.file)}</span>
              <span>kernel {formatBytes(u.memory.kernel)}</span>
              <span>peak {formatBytes(u.memory.peak)}</span>
              <span>swap {formatBytes(u.memory.swapCurrent)}</span>
            </div>
          </div>
        )}
        {u.pids && <UsageMeter label={`Pids ${u.pids.current}${d.limits.pids?.max ? ` of ${d.limits.pids.max}` : ''}`} used={u.pids.current} limit={d.limits.pids?.max ?? null} />}
        <DefinitionList
          items={[
            ['CPU time', u.cpu ? `${formatUsec(u.cpu.usageUsec)} (user ${formatUsec(u.cpu.userUsec)}, system ${formatUsec(u.cpu.systemUsec)})` : '—'],
            ['Throttled', u.cpu?.nrThrottled !== null && u.cpu?.nrThrottled !== undefined ? `${formatCount(u.cpu.nrThrottled)} of ${formatCount(u.cpu.nrPeriods)} periods, ${formatUsec(u.cpu.throttledUsec)}` : '—'],
            ['OOM kills', u.memory ? `${formatCount(u.memory.events.oomKill)} (limit hit ${formatCount(u.memory.events.max)} times)` : '—'],
            ['Page faults', u.memory ? `${formatCount(u.memory.pgfault)} (major ${formatCount(u.memory.pgmajfault)})` : '—'],
            [
              'IO',
              u.io?.length
                ? u.io.map((io) => (
                    <div key={io.device} className="font-mono text-xs">
                      {io.device}: read {formatBytes(io.rbytes)} ({formatCount(io.rios)} ops), write {formatBytes(io.wbytes)} ({formatCount(io.wios)} ops)
                    </div>
                  ))
                : 'none',
            ],
            ['PSI cpu', psiText(u.psi?.cpu)],
            ['PSI memory', psiText(u.psi?.memory)],
            ['PSI io', psiText(u.psi?.io)],
          ]}
        />
      </div>
    </Card>
  );
}

export function CgroupDetail({ path, onDeleted }: { path: string; onDeleted: () => void }) {
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.cgroups.get.queryOptions({ path }), refetchInterval: 2000 });
  const [editing, setEditing] = useState(false);
  const [whySlow, setWhySlow] = useState(false);

  if (detail.isPending) return <SkeletonRows rows={10} />;
  if (detail.error) return <ErrorState error={detail.error} retry={() => void detail.refetch()} />;
  const d = detail.data;
  const managed = d.managedPath !== null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="break-all font-mono text-lg text-zinc-100" data-testid="cgroup-path">{d.ref}</h2>
          <div className="mt-1 flex flex-wrap items-center gap-1.5">
            {managed ? <Badge tone="accent">managed by cgdash</Badge> : <Badge>host cgroup</Badge>}
            {d.populated === false && <Badge>empty</Badge>}
            {d.frozen && <Badge tone="violet">frozen</Badge>}
            {d.placements.map((p) => (
              <Badge key={p.hierarchyId} title={p.dir}>
                {p.version === 2 ? 'v2' : `v1 ${p.controllers.join(',')}`}
              </Badge>
            ))}
          </div>
        </div>
        <div className="flex gap-2">
          <Button onClick={() => setWhySlow((w) => !w)} aria-expanded={whySlow}>
            Why is it slow?
          </Button>
          <Button variant="primary" onClick={() => setEditing((e) => !e)}>
            {editing ? 'Close editor' : 'Edit limits'}
          </Button>
          <CgroupActions detail={d} onDeleted={onDeleted} />
        </div>
      </div>
      {editing && <LimitsForm detail={d} onSaved={() => void detail.refetch()} />}
      {whySlow && <WhySlowPanel cgroupRef={d.ref} onClose={() => setWhySlow(false)} />}
      <CgroupCharts key={d.ref} cgroupRef={d.ref} />
      <div className="grid gap-4 2xl:grid-cols-2">
        <UsageCard d={d} />
        <div data-testid="cgroup-limits">
          <LimitsCard d={d} />
        </div>
      </div>
      <Card title={`Processes (${d.pids.length})`}>
        {d.pids.length === 0 ? (
          <p className="text-sm text-zinc-500">No process in this cgroup.</p>
        ) : (
          <div className="flex flex-wrap gap-1.5">
            {d.pids.slice(0, 200).map((pid) => (
              <Link key={pid} href={`/processes?pid=${pid}`} className="tabular rounded bg-zinc-800 px-1.5 py-0.5 font-mono text-xs text-zinc-300 hover:bg-zinc-700">
                {pid}
              </Link>
            ))}
            {d.pids.length > 200 && <span className="text-xs text-zinc-500">and {d.pids.length - 200} more</span>}
          </div>
        )}
      </Card>
      {d.readErrors.length > 0 && (
        <Card title="Files that could not be read">
          <ul className="space-y-1 text-xs text-zinc-400">
            {d.readErrors.map((e) => (
              <li key={e.file}>
                <span className="font-mono">{e.file}</span>: {e.message}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
