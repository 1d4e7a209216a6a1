import { formatBytes } from '../lib/units';
import { formatCpuSet, intersection, parseCpuList } from './cpus';
import type { Tenant, TenantLimits } from './model';

export interface HostCapacity {
  memoryBytes: number;
  cpus: number;
}

export interface CapacityReport {
  /** Allowed, but the admin should know (the kernel will arbitrate). */
  warnings: string[];
  /** Refused: breaks a promise cgdash made (an exclusive cpuset). */
  errors: { field: string; message: string }[];
}

/**
 * What saving `candidate` would do to the host's slicing: memory promised beyond the host,
 * CPU quota beyond the cores, cpusets shared between tenants (an error where either is
 * exclusive).
 */
export function checkCapacity(
  candidate: { name: string; limits: TenantLimits; cpusetExclusive: boolean },
  others: readonly Tenant[],
  host: HostCapacity,
): CapacityReport {
  const warnings: string[] = [];
  const errors: CapacityReport['errors'] = [];
  const all = [...others.filter((t) => t.name !== candidate.name), candidate];

  const memory = all.reduce((sum, t) => sum + (t.limits.memoryMax === null ? 0 : Number(t.limits.memoryMax)), 0);
  const unlimitedMemory = all.filter((t) => t.limits.memoryMax === null).map((t) => t.name);
  if (memory > host.memoryBytes) {
    warnings.push(`memory: tenants are promised ${formatBytes(memory)} in all, more than the host's ${formatBytes(host.memoryBytes)}`);
  }
  if (candidate.limits.memoryMax === null && all.length > 1) {
    warnings.push(`memory: ${candidate.name} has no memory limit and may take memory the other tenants count on`);
  } else if (unlimitedMemory.length && memory > 0 && candidate.limits.memoryMax !== null) {
    warnings.push(`memory: ${unlimitedMemory.join(', ')} ${unlimitedMemory.length === 1 ? 'has' : 'have'} no memory limit`);
  }

  const cpuOf = (l: TenantLimits) => (l.cpuMaxQuotaUs === null ? null : l.cpuMaxQuotaUs / l.cpuMaxPeriodUs);
  const cpuSum = all.reduce((sum, t) => sum + (cpuOf(t.limits) ?? 0), 0);
  if (cpuSum > host.cpus) {
    warnings.push(`cpu: the tenants' CPU quotas add up to ${Number(cpuSum.toFixed(2))} CPUs, more than the host's ${host.cpus}`);
  }

  const mine = candidate.limits.cpusetCpus ? parseCpuList(candidate.limits.cpusetCpus) : null;
  if (mine) {
    const beyond = [...mine].filter((c) => c >= host.cpus);
    if (beyond.length) errors.push({ field: 'cpusetCpus', message: `the host has no CPU ${formatCpuSet(new Set(beyond))} (it has 0-${host.cpus - 1})` });
    const quota = cpuOf(candidate.limits);
    if (quota !== null && quota > mine.size) {
      warnings.push(`cpu: a quota of ${quota} CPUs cannot be used on the ${mine.size} CPU${mine.size === 1 ? '' : 's'} of its cpuset`);
    }
  }
  for (const other of others) {
    if (other.name === candidate.name) continue;
    const theirs = other.limits.cpusetCpus ? parseCpuList(other.limits.cpusetCpus) : null;
    // A slice without a cpuset may run anywhere, so it shares every CPU with the others.
    const shared = mine && theirs ? intersection(mine, theirs) : mine ?? theirs;
    if (!shared || shared.size === 0) continue;
    if (candidate.cpusetExclusive && (theirs === null || (mine && intersection(mine, theirs).size))) {
      errors.push({ field: 'cpusetCpus', message: `CPUs ${formatCpuSet(shared)} are exclusive to ${candidate.name} but ${other.name} may use them too${theirs ? '' : ' (it has no cpuset)'}` });
    } else if (other.cpusetExclusive && (mine === null || (theirs && intersection(mine, theirs).size))) {
      errors.push({ field: 'cpusetCpus', message: `CPUs ${formatCpuSet(shared)} are exclusive to ${other.name}` });
    } else if (mine && theirs) {
      warnings.push(`cpuset: CPUs ${formatCpuSet(shared)} are shared with ${other.name}`);
    }
  }
  if (candidate.cpusetExclusive && !mine) {
    errors.push({ field: 'cpusetCpus', message: 'an exclusive slice needs its cpuset CPUs' });
  }
  return { warnings, errors };
}
