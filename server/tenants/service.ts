import type { CgroupManager } from '../cgroup';
import type { LimitsPatch } from '../cgroup/model';
import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import { emptyTenantLimits, limitsToPatch, mergeLimits, tenantCgroup, tenantNamePattern, type Tenant, type TenantInput } from './model';
import { checkCapacity, type CapacityReport, type HostCapacity } from './overcommit';
import { TenantStore, UID_RANGE_SIZE } from './store';

/** What the tenants service needs to know about containers, without depending on the engine. */
export interface TenantContainers {
  /** Containers placed in the tenant's slice. */
  of(tenant: string): { id: string; name: string }[];
  /** Remove one (forced tenant delete). */
  remove(id: string): Promise<void>;
}

export interface TenantServiceOptions {
  db: Db;
  cgroups: CgroupManager;
  capacity: () => Promise<HostCapacity>;
  containers?: TenantContainers;
}

/**
 * Tenants: named slices of the host. Each is a managed parent cgroup (tenants/<name>) with the
 * slice's limits; its containers are created below it, so the kernel enforces the slice as a
 * whole while each container keeps its own limits.
 */
export class TenantService {
  readonly store: TenantStore;
  private readonly cgroups: CgroupManager;
  private readonly capacity: () => Promise<HostCapacity>;
  private containers: TenantContainers | undefined;

  constructor(options: TenantServiceOptions) {
    this.store = new TenantStore(options.db);
    this.cgroups = options.cgroups;
    this.capacity = options.capacity;
    this.containers = options.containers;
  }

  /** The engine registers itself once it exists (it is built after the tenants). */
  attachContainers(containers: TenantContainers): void {
    this.containers = containers;
  }

  list(): Tenant[] {
    return this.store.list();
  }

  get(name: string): Tenant {
    return this.store.require(name);
  }

  /** What saving would mean for the host, without saving: the editor shows it before Save. */
  async preview(input: TenantInput): Promise<CapacityReport> {
    const existing = this.store.get(input.name);
    const limits = mergeLimits(existing?.limits ?? emptyTenantLimits(), input.limits ?? {});
    return checkCapacity({ name: input.name, limits, cpusetExclusive: input.cpusetExclusive ?? existing?.cpusetExclusive ?? false }, this.store.list(), await this.capacity());
  }

  async create(input: TenantInput): Promise<{ tenant: Tenant; warnings: string[] }> {
    if (!tenantNamePattern.test(input.name)) {
      throw new CgdashError('invalid', 'a tenant name is lowercase letters, digits, _ and -, up to 64, starting with a letter or digit', { field: 'name' });
    }
    if (this.store.get(input.name)) throw new CgdashError('conflict', `a tenant named "${input.name}" already exists`, { field: 'name' });
    const limits = mergeLimits(emptyTenantLimits(), input.limits ?? {});
    const report = checkCapacity({ name: input.name, limits, cpusetExclusive: input.cpusetExclusive ?? false }, this.store.list(), await this.capacity());
    throwCapacityErrors(report);
    const tenant: Tenant = {
      name: input.name,
      displayName: input.displayName ?? null,
      limits,
      cpusetExclusive: input.cpusetExclusive ?? false,
      networkIngressBps: input.networkIngressBps ?? null,
      networkEgressBps: input.networkEgressBps ?? null,
      uidBase: this.store.nextUidBase(),
      uidCount: UID_RANGE_SIZE,
      createdAt: Date.now(),
    };
    await this.ensureParent();
    // The cgroup module removes the cgroup again if a limit fails, so nothing half-made stays.
    await this.cgroups.create(tenantCgroup(tenant.name), { limits: onlySet(limitsToPatch(limits)) });
    try {
      this.store.insert(tenant);
    } catch (err) {
      await this.cgroups.remove(tenantCgroup(tenant.name)).catch(() => {});
      throw err;
    }
    return { tenant, warnings: report.warnings };
  }

  /** Live: the slice's cgroup changes at once, then the record. */
  async update(input: TenantInput): Promise<{ tenant: Tenant; warnings: string[] }> {
    const current = this.store.require(input.name);
    const limits = mergeLimits(current.limits, input.limits ?? {});
    const next: Tenant = {
      ...current,
      displayName: input.displayName === undefined ? current.displayName : input.displayName,
      limits,
      cpusetExclusive: input.cpusetExclusive ?? current.cpusetExclusive,
      networkIngressBps: input.networkIngressBps === undefined ? current.networkIngressBps : input.networkIngressBps,
      networkEgressBps: input.networkEgressBps === undefined ? current.networkEgressBps : input.networkEgressBps,
    };
    const report = checkCapacity(next, this.store.list(), await this.capacity());
    throwCapacityErrors(report);
    if (input.limits && Object.keys(input.limits).length) await this.cgroups.setLimits(tenantCgroup(current.name), input.limits);
    this.store.update(next);
    return { tenant: next, warnings: report.warnings };
  }

  /** Refused while the slice has containers, unless forced (then they are removed first). */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    this.store.require(name);
    const containers = this.containers?.of(name) ?? [];
    if (containers.length && !options.force) {
      throw new CgdashError('busy', `tenant "${name}" still has ${containers.length} container${containers.length === 1 ? '' : 's'} (${containers.map((c) => c.name).join(', ')}): remove them first or force`);
    }
    for (const c of containers) await this.containers!.remove(c.id);
    await this.cgroups.remove(tenantCgroup(name), { kill: options.force ?? false }).catch((err: unknown) => {
      if ((err as { kind?: string }).kind !== 'not_found') throw err;
    });
    this.store.remove(name);
  }

  /**
   * Bring existing processes (or all of an existing cgroup's) into the slice, in a leaf of its
   * own: on cgroup v2 the slice itself has children and so cannot hold processes.
   */
  async adopt(name: string, what: { pids?: number[]; cgroup?: string }, options: { allowUnmanaged?: boolean } = {}): Promise<{ moved: number[] }> {
    this.store.require(name);
    const leaf = `${tenantCgroup(name)}/adopted`;
    const existing = await this.cgroups.get(leaf).catch(() => null);
    if (!existing) await this.cgroups.create(leaf);
    const pids = [...(what.pids ?? [])];
    if (what.cgroup) pids.push(...(await this.cgroups.pidsOf(what.cgroup)));
    if (!pids.length) throw new CgdashError('invalid', 'nothing to adopt: give pids or a cgroup with processes in it', { field: 'pids' });
    const moved: number[] = [];
    for (const pid of pids) {
      await this.cgroups.moveProcess(pid, leaf, options);
      moved.push(pid);
    }
    return { moved };
  }

  /** The user-namespace mapping every container of the tenant runs with. */
  usernsMapping(name: string): { containerId: number; hostId: number; size: number } {
    const t = this.store.require(name);
    return { containerId: 0, hostId: t.uidBase, size: t.uidCount };
  }

  private async ensureParent(): Promise<void> {
    const parent = await this.cgroups.get('tenants').catch(() => null);
    if (!parent) {
      try {
        await this.cgroups.create('tenants');
      } catch (err) {
        if ((err as { kind?: string }).kind !== 'conflict') throw err;
      }
    }
  }
}

/** Only the limits that are set: a fresh cgroup already has "no limit" everywhere. */
function onlySet(patch: LimitsPatch): LimitsPatch {
  return Object.fromEntries(
    Object.entries(patch).filter(([k, v]) => v !== null && !(Array.isArray(v) && v.length === 0) && !(k === 'cpuMaxPeriodUs' && patch.cpuMaxQuotaUs === null)),
  ) as LimitsPatch;
}

function throwCapacityErrors(report: CapacityReport): void {
  const first = report.errors[0];
  if (first) throw new CgdashError('invalid', report.errors.map((e) => e.message).join('; '), { field: first.field });
}
