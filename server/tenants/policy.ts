import type { ContainerSpec } from '../runtime/spec';
import { CgdashError } from '../lib/errors';
import { intersection, parseCpuList } from './cpus';
import type { Tenant } from './model';

/**
 * What a tenant member may not ask of a container: everything that reaches past the slice into
 * the host. Checked on the parsed spec, so no spelling of a flag can slip through.
 */
export function checkMemberSpec(spec: ContainerSpec): void {
  const refuse = (field: string, message: string) => {
    throw new CgdashError('forbidden', message, { field });
  };
  if (spec.volumes.length) refuse('volumes', 'tenant members cannot bind host paths into a container');
  if (spec.security.privileged) refuse('security.privileged', 'tenant members cannot run privileged containers');
  if (spec.security.capAdd.length) refuse('security.capAdd', 'tenant members cannot add capabilities');
  if (spec.security.seccomp !== 'default') refuse('security.seccomp', 'tenant members cannot turn seccomp off');
  if (!spec.security.noNewPrivileges) refuse('security.noNewPrivileges', 'tenant members cannot allow new privileges');
  for (const [kind, choice] of Object.entries(spec.namespaces)) {
    // The user namespace is always a new one for a tenant (placeInTenant), whatever was asked.
    if (kind === 'user') continue;
    if (choice === 'host') refuse(`namespaces.${kind}`, `tenant members cannot join the host's ${kind} namespace`);
    if (typeof choice === 'string' && choice.startsWith('ns:')) refuse(`namespaces.${kind}`, 'tenant members cannot join a named network namespace of the host');
  }
  if (spec.usernsMapping) refuse('usernsMapping', 'the user namespace mapping of a tenant is set by cgdash');
}

/**
 * Every container of a tenant runs in a user namespace mapped to the tenant's own unprivileged
 * uid/gid range, and gets the tenant's network caps unless it asks for less.
 */
export function placeInTenant(spec: ContainerSpec, tenant: Tenant): ContainerSpec {
  const cap = (asked: number | undefined, limit: number | null) => (limit === null ? asked : asked === undefined ? limit : Math.min(asked, limit));
  return {
    ...spec,
    tenant: tenant.name,
    namespaces: { ...spec.namespaces, user: 'new' },
    usernsMapping: { containerId: 0, hostId: tenant.uidBase, size: tenant.uidCount },
    networkIngressRate: spec.network === 'none' ? spec.networkIngressRate : cap(spec.networkIngressRate, tenant.networkIngressBps),
    networkEgressRate: spec.network === 'none' ? spec.networkEgressRate : cap(spec.networkEgressRate, tenant.networkEgressBps),
  };
}

/**
 * A container's limits may not exceed its tenant's. The kernel would enforce the slice anyway
 * (the container's cgroup is below the tenant's); refusing up front says why.
 */
export function checkWithinTenant(limits: ContainerSpec['limits'], tenant: Tenant): void {
  const t = tenant.limits;
  const refuse = (field: string, message: string) => {
    throw new CgdashError('invalid', `${message} (tenant ${tenant.name})`, { field: `limits.${field}` });
  };
  if (t.memoryMax !== null && limits.memory !== undefined && BigInt(limits.memory) > t.memoryMax) {
    refuse('memory', `memory ${limits.memory} is above the slice's ${t.memoryMax} bytes`);
  }
  if (t.cpuMaxQuotaUs !== null && limits.cpus !== undefined && limits.cpus > t.cpuMaxQuotaUs / t.cpuMaxPeriodUs) {
    refuse('cpus', `${limits.cpus} CPUs is above the slice's ${t.cpuMaxQuotaUs / t.cpuMaxPeriodUs}`);
  }
  if (t.pidsMax !== null && limits.pidsLimit !== undefined && (limits.pidsLimit === -1 || limits.pidsLimit > t.pidsMax)) {
    refuse('pidsLimit', `a pids limit of ${limits.pidsLimit === -1 ? 'unlimited' : limits.pidsLimit} is above the slice's ${t.pidsMax}`);
  }
  if (t.cpusetCpus && limits.cpusetCpus) {
    const slice = parseCpuList(t.cpusetCpus);
    const asked = parseCpuList(limits.cpusetCpus);
    if (intersection(slice, asked).size !== asked.size) refuse('cpusetCpus', `CPUs ${limits.cpusetCpus} are not all in the slice's ${t.cpusetCpus}`);
  }
}
