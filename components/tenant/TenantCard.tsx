'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RouterOutputs } from '@/components/app/trpc';
import { UsageMeter } from '@/components/cgroup/UsageMeter';
import { formatCpus, formatLimitBytes } from '@/components/cgroup/format';
import { Badge } from '@/components/ui/Badge';
import { formatBytes } from '@/server/lib/units';

export type TenantRow = RouterOutputs['tenants']['list'][number];

/** One slice at a glance: what it may use, what it uses now, who is in it. */
export function TenantCard({ row, actions, charts, showCgroupLink }: { row: TenantRow; actions?: ReactNode; charts?: ReactNode; showCgroupLink: boolean }) {
  const { tenant, usage } = row;
  const l = tenant.limits;
  const memory = usage?.memory?.current ?? 0n;
  return (
    <section className="flex flex-col rounded-lg border border-zinc-800 bg-zinc-900/60" data-testid={`tenant-${tenant.name}`} aria-label={`tenant ${tenant.name}`}>
      <header className="flex items-start justify-between gap-2 border-b border-zinc-800 px-4 py-3">
        <div>
          <h2 className="text-base font-semibold text-zinc-100">{tenant.displayName ?? tenant.name}</h2>
          <p className="font-mono text-xs text-zinc-500">tenants/{tenant.name}</p>
        </div>
        <div className="flex flex-wrap justify-end gap-1">
          {tenant.cpusetExclusive && <Badge tone="violet">exclusive CPUs</Badge>}
          <Badge>{row.containers} container{row.containers === 1 ? '' : 's'}</Badge>
        </div>
      </header>
      <div className="flex-1 space-y-3 px-4 py-3 text-sm">
        <UsageMeter label={`Memory ${formatBytes(memory)} of ${formatLimitBytes(l.memoryMax)}`} used={Number(memory)} limit={l.memoryMax === null ? null : Number(l.memoryMax)} />
        {usage?.pids && <UsageMeter label={`Pids ${usage.pids.current}${l.pidsMax ? ` of ${l.pidsMax}` : ''}`} used={usage.pids.current} limit={l.pidsMax} />}
        <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-xs">
          <dt className="text-zinc-500">CPUs</dt>
          <dd className="font-mono text-zinc-300">{l.cpusetCpus ?? 'any'}</dd>
          <dt className="text-zinc-500">CPU quota</dt>
          <dd className="text-zinc-300">{formatCpus(l.cpuMaxQuotaUs, l.cpuMaxPeriodUs)}</dd>
          <dt className="text-zinc-500">CPU weight</dt>
          <dd className="text-zinc-300">{l.cpuWeight ?? 'default'}</dd>
          <dt className="text-zinc-500">Network</dt>
          <dd className="text-zinc-300">
            {tenant.networkIngressBps || tenant.networkEgressBps
              ? `in ${tenant.networkIngressBps ? `${formatBytes(tenant.networkIngressBps)}/s` : '∞'} · out ${tenant.networkEgressBps ? `${formatBytes(tenant.networkEgressBps)}/s` : '∞'}`
              : 'no cap'}
          </dd>
          <dt className="text-zinc-500">uids</dt>
          <dd className="font-mono text-zinc-300">
            {tenant.uidBase}–{tenant.uidBase + tenant.uidCount - 1}
          </dd>
        </dl>
        {charts}
        <div className="text-xs text-zinc-500">
          Members:{' '}
          {row.members.length ? row.members.map((m) => `${m.name}${m.disabled ? ' (disabled)' : ''}`).join(', ') : 'none'}
        </div>
      </div>
      <footer className="flex flex-wrap items-center gap-2 border-t border-zinc-800 px-4 py-2">
        {showCgroupLink && (
          <Link href={`/cgroups?path=${encodeURIComponent(`tenants/${tenant.name}`)}`} className="text-xs text-accent-300 hover:underline">
            cgroup
          </Link>
        )}
        <div className="ml-auto flex gap-2">{actions}</div>
      </footer>
    </section>
  );
}
