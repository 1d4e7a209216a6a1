import type { IoMaxEntry, LimitsPatch } from '../cgroup/model';

/** What a tenant's slice may use. null = no limit; the fields mirror the cgroup model's. */
export interface TenantLimits {
  cpuMaxQuotaUs: number | null;
  cpuMaxPeriodUs: number;
  cpuWeight: number | null;
  cpusetCpus: string | null;
  cpusetMems: string | null;
  memoryMax: bigint | null;
  memoryHigh: bigint | null;
  memorySwapMax: bigint | null;
  ioWeight: number | null;
  ioMax: IoMaxEntry[];
  pidsMax: number | null;
}

export interface Tenant {
  name: string;
  displayName: string | null;
  limits: TenantLimits;
  /** No other tenant may use these CPUs (checked by cgdash on every tenant change). */
  cpusetExclusive: boolean;
  /** Each container of the tenant is capped at these rates (bytes/s) on its network interface. */
  networkIngressBps: number | null;
  networkEgressBps: number | null;
  /** The tenant's containers run in a user namespace mapping container 0.. to host uidBase.. */
  uidBase: number;
  uidCount: number;
  createdAt: number;
}

export interface TenantInput {
  name: string;
  displayName?: string | null;
  limits?: LimitsPatch;
  cpusetExclusive?: boolean;
  networkIngressBps?: number | null;
  networkEgressBps?: number | null;
}

export const emptyTenantLimits = (): TenantLimits => ({
  cpuMaxQuotaUs: null,
  cpuMaxPeriodUs: 100_000,
  cpuWeight: null,
  cpusetCpus: null,
  cpusetMems: null,
  memoryMax: null,
  memoryHigh: null,
  memorySwapMax: null,
  ioWeight: null,
  ioMax: [],
  pidsMax: null,
});

/** Apply a patch: a key absent stays, null clears. memoryLow is not a slice limit. */
export function mergeLimits(base: TenantLimits, patch: LimitsPatch): TenantLimits {
  const next = { ...base };
  for (const key of Object.keys(next) as (keyof TenantLimits)[]) {
    const v = (patch as Record<string, unknown>)[key];
    if (v !== undefined) (next as Record<string, unknown>)[key] = v ?? (key === 'ioMax' ? [] : key === 'cpuMaxPeriodUs' ? 100_000 : null);
  }
  return next;
}

/** The patch that sets a cgroup to exactly these limits. */
export function limitsToPatch(l: TenantLimits): LimitsPatch {
  return {
    cpuMaxQuotaUs: l.cpuMaxQuotaUs,
    cpuMaxPeriodUs: l.cpuMaxPeriodUs,
    cpuWeight: l.cpuWeight,
    cpusetCpus: l.cpusetCpus,
    cpusetMems: l.cpusetMems,
    memoryMax: l.memoryMax,
    memoryHigh: l.memoryHigh,
    memorySwapMax: l.memorySwapMax,
    ioWeight: l.ioWeight,
    ioMax: l.ioMax,
    pidsMax: l.pidsMax,
  };
}

/** The managed cgroup of a tenant's slice. */
export const tenantCgroup = (name: string) => `tenants/${name}`;
export const tenantNamePattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
