import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import { emptyTenantLimits, type Tenant, type TenantLimits } from './model';

interface TenantRow {
  name: string;
  display_name: string | null;
  limits: string;
  cpuset_exclusive: number;
  net_ingress_bps: number | null;
  net_egress_bps: number | null;
  uid_base: number;
  uid_count: number;
  created_at: number;
}

/** bigint sizes are stored as decimal strings inside the limits JSON. */
function encodeLimits(l: TenantLimits): string {
  return JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function decodeLimits(text: string): TenantLimits {
  const parsed = JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as Partial<TenantLimits>;
  return { ...emptyTenantLimits(), ...parsed };
}

function toTenant(r: TenantRow): Tenant {
  return {
    name: r.name,
    displayName: r.display_name,
    limits: decodeLimits(r.limits),
    cpusetExclusive: r.cpuset_exclusive !== 0,
    networkIngressBps: r.net_ingress_bps,
    networkEgressBps: r.net_egress_bps,
    uidBase: r.uid_base,
    uidCount: r.uid_count,
    createdAt: r.created_at,
  };
}

/**
 * Each tenant's containers get 65536 host uids of their own, far above the ids distributions
 * hand out (and above the 100000.. ranges /etc/subuid usually starts with).
 */
export const UID_RANGE_START = 1_000_000;
export const UID_RANGE_SIZE = 65_536;

export class TenantStore {
  constructor(private readonly db: Db) {}

  list(): Tenant[] {
    return this.db.prepare<[], TenantRow>('SELECT * FROM tenants ORDER BY name').all().map(toTenant);
  }

  get(name: string): Tenant | undefined {
    const row = this.db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE name = ?').get(name);
    return row && toTenant(row);
  }

  require(name: string): Tenant {
    const t = this.get(name);
    if (!t) throw new CgdashError('not_found', `no tenant named "${name}"`, { field: 'tenant' });
    return t;
  }

  /** The lowest free uid range. */
  nextUidBase(): number {
    const used = new Set(this.db.prepare<[], { uid_base: number }>('SELECT uid_base FROM tenants').all().map((r) => r.uid_base));
    let base = UID_RANGE_START;
    while (used.has(base)) base += UID_RANGE_SIZE;
    return base;
  }

  insert(t: Tenant): void {
    this.db
      .prepare(
        'INSERT INTO tenants (name, display_name, limits, cpuset_exclusive, net_ingress_bps, net_egress_bps, uid_base, uid_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(t.name, t.displayName, encodeLimits(t.limits), t.cpusetExclusive ? 1 : 0, t.networkIngressBps, t.networkEgressBps, t.uidBase, t.uidCount, t.createdAt);
  }

  update(t: Tenant): void {
    this.db
      .prepare('UPDATE tenants SET display_name = ?, limits = ?, cpuset_exclusive = ?, net_ingress_bps = ?, net_egress_bps = ? WHERE name = ?')
      .run(t.displayName, encodeLimits(t.limits), t.cpusetExclusive ? 1 : 0, t.networkIngressBps, t.networkEgressBps, t.name);
  }

  remove(name: string): void {
    this.db.prepare('DELETE FROM tenants WHERE name = ?').run(name);
  }
}
