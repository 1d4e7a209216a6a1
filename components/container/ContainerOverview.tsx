'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RouterOutputs } from '@/components/app/trpc';
import { Badge } from '@/components/ui/Badge';
import { Card, DefinitionList } from '@/components/ui/Card';
import { formatTime } from '@/components/ui/time';
import { formatBytes } from '@/server/lib/units';
import { joinArgv } from './argv';
import { ContainerStateBadge } from './ContainerStateBadge';
import { portText } from './format';
import { KernelLimits } from './KernelLimits';

type Inspect = RouterOutputs['containers']['inspect'];

const none = <span className="text-zinc-500">—</span>;
const time = (ms: number | null) => (ms === null ? none : formatTime(ms));

function Mono({ children }: { children: ReactNode }) {
  return <span className="break-all font-mono text-xs">{children}</span>;
}

function StateCard({ d }: { d: Inspect }) {
  return (
    <Card title="State">
      <DefinitionList
        items={[
          ['State', <ContainerStateBadge key="s" state={d.state} exitCode={d.exitCode} oomKilled={d.oomKilled} />],
          ['PID (host)', d.pid ?? none],
          ['conmon PID', d.conmonPid ?? none],
          ['Exit code', d.exitCode ?? none],
          ['OOM killed', d.oomKilled ? <Badge tone="red">yes</Badge> : 'no'],
          ['Created', formatTime(d.createdAt)],
          ['Started', time(d.startedAt)],
          ['Finished', time(d.finishedAt)],
          ['Restarts', d.restartCount],
          ['Runtime', `${d.runtime.name}${d.runtime.status ? ` (${d.runtime.status})` : ''}`],
          ['Image', <Mono key="i">{`${d.image.ref} · ${d.image.id}`}</Mono>],
          ['Tenant', d.tenant ?? 'none (host container)'],
          ...(d.error ? ([['Error', <span key="e" className="text-red-300">{d.error}</span>]] as [string, ReactNode][]) : []),
        ]}
      />
    </Card>
  );
}

function SpecCard({ d }: { d: Inspect }) {
  const s = d.spec;
  const l = s.limits;
  const limitText = [
    l.cpus !== undefined && `${l.cpus} CPUs`,
    l.cpuWeight !== undefined && `weight ${l.cpuWeight}`,
    l.cpusetCpus && `cpus ${l.cpusetCpus}`,
    l.cpusetMems && `mems ${l.cpusetMems}`,
    l.memory !== undefined && `memory ${formatBytes(l.memory)}`,
    l.memorySwap !== undefined && `memory+swap ${l.memorySwap === -1 ? 'unlimited' : formatBytes(l.memorySwap)}`,
    l.memoryReservation !== undefined && `reservation ${formatBytes(l.memoryReservation)}`,
    l.pidsLimit !== undefined && `pids ${l.pidsLimit}`,
    ...l.deviceReadBps.map((r) => `read ${r.device} ${formatBytes(r.rate)}/s`),
    ...l.deviceWriteBps.map((r) => `write ${r.device} ${formatBytes(r.rate)}/s`),
    ...l.deviceReadIops.map((r) => `read ${r.device} ${r.rate} IO/s`),
    ...l.deviceWriteIops.map((r) => `write ${r.device} ${r.rate} IO/s`),
  ].filter(Boolean);
  const sec = s.security;
  return (
    <Card title="Spec">
      <DefinitionList
        items={[
          ['Entrypoint', s.entrypoint ? <Mono key="e">{joinArgv(s.entrypoint)}</Mono> : "image's"],
          ['Command', s.command ? <Mono key="c">{joinArgv(s.command)}</Mono> : "image's"],
          ['Environment', s.env.length ? s.env.map((e) => <div key={e}><Mono>{e}</Mono></div>) : none],
          ['Working dir', s.workingDir ?? "image's"],
          ['User', s.user ?? "image's"],
          ['Hostname', s.hostname ?? 'the name'],
          ['Labels', Object.keys(s.labels).length ? Object.entries(s.labels).map(([k, v]) => <div key={k}><Mono>{`${k}=${v}`}</Mono></div>) : none],
          ['Terminal', `${s.tty ? 'tty' : 'no tty'}, ${s.interactive ? 'interactive' : 'no stdin'}`],
          ['Root file system', s.readOnlyRootfs ? 'read-only' : 'writable'],
          ['Limits', limitText.length ? limitText.join(' · ') : 'none'],
          [
            'Security',
            `${sec.privileged ? 'privileged' : 'unprivileged'}, seccomp ${sec.seccomp}${sec.noNewPrivileges ? ', no new privileges' : ''}${sec.capAdd.length ? `, +${sec.capAdd.join(' +')}` : ''}${sec.capDrop.length ? `, -${sec.capDrop.join(' -')}` : ''}`,
          ],
          ['User namespace', s.namespaces.user === 'new' && s.usernsMapping ? `new: 0→${s.usernsMapping.hostId} (${s.usernsMapping.size} ids from ${s.usernsMapping.containerId})` : s.namespaces.user],
          ['Restart policy', `${s.restartPolicy.name}${s.restartPolicy.maxRetries !== undefined ? ` (max ${s.restartPolicy.maxRetries})` : ''}${s.autoRemove ? ', auto-remove' : ''}`],
          ['Stop timeout', `${s.stopTimeoutSec} s`],
        ]}
      />
      <details className="mt-3 text-xs">
        <summary className="cursor-pointer text-zinc-400 hover:text-zinc-200">Full spec (JSON)</summary>
        <pre className="mt-2 max-h-96 overflow-auto rounded bg-zinc-950 p-3 font-mono text-[11px] text-zinc-300">{JSON.stringify(s, null, 2)}</pre>
      </details>
    </Card>
  );
}

function NamespacesCard({ d }: { d: Inspect }) {
  const asked: Record<string, string> = { net: d.spec.namespaces.network, pid: d.spec.namespaces.pid, ipc: d.spec.namespaces.ipc, uts: d.spec.namespaces.uts, user: d.spec.namespaces.user };
  return (
    <Card title="Namespaces" bodyClassName="p-0">
      {d.namespaces.length === 0 ? (
        <p className="p-4 text-sm text-zinc-500">Shown while the container runs (they belong to its process).</p>
      ) : (
        <table className="w-full text-sm" aria-label="namespaces">
          <thead className="text-left text-xs text-zinc-500">
            <tr>
              <th className="px-4 py-2 font-medium">Type</th>
              <th className="px-4 py-2 font-medium">Inode</th>
              <th className="px-4 py-2 font-medium">Shared with the host</th>
              <th className="px-4 py-2 font-medium">Asked for</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-800/70">
            {d.namespaces.map((n) => (
              <tr key={n.type} data-ns={n.type}>
                <td className="px-4 py-1.5 font-mono">{n.type}</td>
                <td className="tabular px-4 py-1.5 font-mono text-xs">{n.inode ?? '—'}</td>
                <td className="px-4 py-1.5">
                  {n.sharedWithHost === null ? <span className="text-zinc-500">unknown</span> : n.sharedWithHost ? <Badge tone="amber">shared</Badge> : <Badge tone="green">own</Badge>}
                </td>
                <td className="px-4 py-1.5 text-xs text-zinc-400">{asked[n.type] ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function CgroupCard({ d, host }: { d: Inspect; host: boolean }) {
  return (
    <Card
      title="Cgroup"
      actions={
        host && (
          <Link href={`/cgroups?path=${encodeURIComponent(d.cgroup.ref)}`} className="text-xs text-accent-300 hover:underline">
            open in Cgroups
          </Link>
        )
      }
    >
      <div className="space-y-4">
        <DefinitionList
          items={[
            ['Managed ref', <Mono key="r">{d.cgroup.ref}</Mono>],
            ['runc cgroupsPath', <Mono key="p">{d.cgroup.runtimePath}</Mono>],
            ['Frozen', d.cgroup.frozen === null ? none : d.cgroup.frozen ? 'yes (paused)' : 'no'],
            [
              'Directories',
              d.cgroup.placements.length
                ? d.cgroup.placements.map((p) => (
                    <div key={p.hierarchyId} className="flex gap-2">
                      <span className="shrink-0 text-xs text-zinc-500">{p.hierarchyId === 0 ? 'v2' : p.controllers.join(',')}</span>
                      <Mono>{p.dir}</Mono>
                    </div>
                  ))
                : none,
            ],
          ]}
        />
        <div>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">Limits read from the kernel</h3>
          <KernelLimits limits={d.cgroup.limits} />
        </div>
      </div>
    </Card>
  );
}

function NetworkCard({ d }: { d: Inspect }) {
  const n = d.network;
  const ports = n?.ports.length ? n.ports : d.spec.ports;
  return (
    <Card title="Network">
      <DefinitionList
        items={[
          ['Network', n?.network ?? (d.spec.namespaces.network === 'new' ? d.spec.network : `namespace: ${d.spec.namespaces.network}`)],
          ['Addresses', n?.ips.length ? n.ips.map((ip) => <div key={ip.address}><Mono>{`${ip.address}/${ip.prefix} via ${ip.gateway} (${ip.network})`}</Mono></div>) : none],
          ['Published ports', ports.length ? ports.map((p) => <div key={`${p.hostIp ?? ''}:${p.hostPort}/${p.protocol}`}><Mono>{portText(p)}</Mono></div>) : none],
          ['Rate caps', d.spec.networkIngressRate || d.spec.networkEgressRate ? `in ${d.spec.networkIngressRate ? `${formatBytes(d.spec.networkIngressRate)}/s` : '∞'} · out ${d.spec.networkEgressRate ? `${formatBytes(d.spec.networkEgressRate)}/s` : '∞'}` : 'none'],
        ]}
      />
    </Card>
  );
}

function MountsCard({ d }: { d: Inspect }) {
  return (
    <Card title={`Mounts (${d.mounts.length})`} bodyClassName="p-0">
      {d.mounts.length === 0 ? (
        <p className="p-4 text-sm text-zinc-500">No bundle config to read mounts from.</p>
      ) : (
        <div className="max-h-96 overflow-auto">
          <table className="w-full text-sm" aria-label="mounts">
            <thead className="sticky top-0 bg-zinc-900 text-left text-xs text-zinc-500">
              <tr>
                <th className="px-4 py-2 font-medium">Destination</th>
                <th className="px-4 py-2 font-medium">Type</th>
                <th className="px-4 py-2 font-medium">Source</th>
                <th className="px-4 py-2 font-medium">Options</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-800/70 font-mono text-xs">
              {d.mounts.map((m) => (
                <tr key={m.destination}>
                  <td className="px-4 py-1.5 text-zinc-200">{m.destination}</td>
                  <td className="px-4 py-1.5">{m.type}</td>
                  <td className="max-w-[18rem] truncate px-4 py-1.5 text-zinc-400" title={m.source}>
                    {m.source}
                  </td>
                  <td className="px-4 py-1.5 text-zinc-500">{m.options?.join(',') ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function ContainerOverview({ inspect, host }: { inspect: Inspect; host: boolean }) {
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <StateCard d={inspect} />
      <NetworkCard d={inspect} />
      <SpecCard d={inspect} />
      <div className="space-y-4">
        <NamespacesCard d={inspect} />
        <CgroupCard d={inspect} host={host} />
      </div>
      <div className="xl:col-span-2">
        <MountsCard d={inspect} />
      </div>
      <p className="text-xs text-zinc-500 xl:col-span-2">
        Bundle <span className="font-mono">{inspect.bundle}</span> · log <span className="font-mono">{inspect.logPath}</span>
      </p>
    </div>
  );
}
