'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/app/trpc';
import { UsageMeter } from '@/components/cgroup/UsageMeter';
import { CgroupCharts } from '@/components/monitor/CgroupCharts';
import { Badge } from '@/components/ui/Badge';
import { Card, DefinitionList, Stat } from '@/components/ui/Card';
import { PageHeader } from '@/components/ui/PageHeader';
import { ErrorState, SkeletonRows } from '@/components/ui/States';
import { formatDuration } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';

const modeWords = { v1: 'cgroup v1', v2: 'cgroup v2 (unified)', hybrid: 'hybrid (v1 controllers + v2 mount)' } as const;

export function Overview() {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.system.info.queryOptions(), refetchInterval: 5000 });
  if (info.isPending) return <><PageHeader title="Overview" /><SkeletonRows rows={10} /></>;
  if (info.error) return <><PageHeader title="Overview" /><ErrorState error={info.error} retry={() => void info.refetch()} /></>;
  const { host, hierarchies } = info.data;
  const mem = host.memory;

  return (
    <>
      <PageHeader
        title={host.os.hostname}
        description={`${host.os.distro} ${host.os.release} · kernel ${host.os.kernel} · ${host.os.arch}`}
        actions={<Badge tone="accent">{modeWords[info.data.cgroupMode]}</Badge>}
      />
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <Stat label="CPU" value={`${host.cpu.cores} cores`} sub={`${host.cpu.manufacturer} ${host.cpu.brand}`.trim()} />
        <Stat label="Memory" value={formatBytes(mem.totalBytes)} sub={`${formatBytes(mem.availableBytes)} available`} />
        <Stat label="Load (1 / 5 / 15 min)" value={`${host.loadAverage.one.toFixed(2)} / ${host.loadAverage.five.toFixed(2)} / ${host.loadAverage.fifteen.toFixed(2)}`} sub={`up ${formatDuration(host.uptimeSec)}`} />
        <Stat
          label="Cgroups"
          value={<Link href="/cgroups" className="hover:text-accent-300">{info.data.counts.cgroups}</Link>}
          sub={`${info.data.counts.managedCgroups} managed by cgdash under “${info.data.managedRootName}”`}
        />
      </div>
      <div className="mt-6">
        <CgroupCharts cgroupRef="/" charts={['cpu', 'memory']} title="Host CPU and memory (root cgroup)" />
      </div>
      <div className="mt-6 grid gap-4 xl:grid-cols-2">
        <Card title="Memory">
          <div className="space-y-3">
            <UsageMeter label={`Used ${formatBytes(mem.usedBytes)} of ${formatBytes(mem.totalBytes)}`} used={mem.usedBytes} limit={mem.totalBytes} />
            <DefinitionList
              items={[
                ['Available', formatBytes(mem.availableBytes)],
                ['Buffers and cache', formatBytes(mem.buffCacheBytes)],
                ['Swap', mem.swapTotalBytes ? `${formatBytes(mem.swapUsedBytes)} of ${formatBytes(mem.swapTotalBytes)}` : 'none'],
              ]}
            />
          </div>
        </Card>
        <Card title="Cgroup hierarchies" bodyClassName="p-0">
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-zinc-500">
              <tr>
                <th className="px-4 py-2 font-medium">ID</th>
                <th className="px-4 py-2 font-medium">Controllers</th>
                <th className="px-4 py-2 font-medium">Mount</th>
                <th className="px-4 py-2 font-medium">Managed root</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-800">
              {hierarchies.map((h) => (
                <tr key={h.id}>
                  <td className="px-4 py-1.5 text-zinc-400">
                    {h.id} <span className="text-xs text-zinc-600">v{h.version}</span>
                  </td>
                  <td className="px-4 py-1.5">{h.controllers.join(', ') || <span className="text-zinc-500">none</span>}</td>
                  <td className="px-4 py-1.5 font-mono text-xs text-zinc-400">{h.mountPoint}</td>
                  <td className="px-4 py-1.5 font-mono text-xs text-zinc-400">{h.managedRoot}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Disks" bodyClassName="space-y-3 p-4">
          {host.disks.length === 0 ? (
            <p className="text-sm text-zinc-500">No disks reported.</p>
          ) : (
            host.disks.map((d) => (
              <UsageMeter key={`${d.fs}-${d.mount}`} label={`${d.mount} (${d.type}) ${formatBytes(d.usedBytes)} of ${formatBytes(d.sizeBytes)}`} used={d.usedBytes} limit={d.sizeBytes} />
            ))
          )}
        </Card>
        <Card title="Network interfaces" bodyClassName="p-0">
          <table className="w-full text-sm">
            <tbody className="divide-y divide-zinc-800">
              {host.network.map((n) => (
                <tr key={n.name}>
                  <td className="px-4 py-1.5 font-mono">{n.name}</td>
                  <td className="px-4 py-1.5 font-mono text-xs text-zinc-400">{n.ip4 ?? n.ip6 ?? ''}</td>
                  <td className="px-4 py-1.5">
                    <Badge tone={n.operstate === 'up' ? 'green' : 'neutral'}>{n.operstate}</Badge>
                    {n.isDefault && <span className="ml-1"><Badge tone="accent">default</Badge></span>}
                  </td>
                  <td className="px-4 py-1.5 text-right text-xs text-zinc-500">{n.mtu ? `mtu ${n.mtu}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </>
  );
}
