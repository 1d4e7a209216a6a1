import { formatCpus, formatLimitBytes } from '@/components/cgroup/format';
import { IoMaxList } from '@/components/cgroup/IoMaxList';
import { DefinitionList } from '@/components/ui/Card';
import { formatBytes } from '@/server/lib/units';
import type { Limits } from '@/server/cgroup/model';

/** Limits as read back from the container's cgroup files (v1 or v2, one model). */
export function KernelLimits({ limits }: { limits: Limits | null }) {
  if (!limits) return <p className="text-sm text-zinc-500">No cgroup: the container is not running, so the kernel holds no limits for it.</p>;
  const l = limits;
  return (
    <div data-testid="kernel-limits">
      <DefinitionList
        items={[
          ['CPU max', l.cpu ? formatCpus(l.cpu.maxQuotaUs, l.cpu.maxPeriodUs) : 'controller absent'],
          ['CPU weight', l.cpu ? (l.cpu.weight ?? 'default') : '—'],
          ['cpuset', l.cpuset ? `cpus ${l.cpuset.cpus || 'inherit'} (effective ${l.cpuset.effectiveCpus ?? '—'}), mems ${l.cpuset.mems || 'inherit'}` : 'controller absent'],
          ['Memory max', l.memory ? formatLimitBytes(l.memory.max) : 'controller absent'],
          ['Memory low', l.memory ? (l.memory.low === null ? 'none' : formatBytes(l.memory.low)) : '—'],
          ['Swap max', l.memory ? formatLimitBytes(l.memory.swapMax) : '—'],
          ['Pids max', l.pids ? (l.pids.max ?? 'no limit') : 'controller absent'],
          ['IO max', <IoMaxList key="io-max" io={l.io} />],
        ]}
      />
    </div>
  );
}
