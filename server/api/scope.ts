import type { Principal } from '../auth/principal';
import { CgdashError } from '../lib/errors';

/**
 * Which tenant a caller may see: null = every tenant (admins, unscoped viewers).
 * Tenant members and scoped viewers see only their own.
 */
export function visibleTenant(p: Principal): string | null {
  if (p.role === 'admin') return null;
  if (p.role === 'viewer' && p.tenant === null) return null;
  return p.tenant ?? '\0none';
}

/**
 * Refuse access to another tenant's things as "not found": a tenant must not learn even that
 * another tenant's container exists.
 */
export function assertTenantVisible(p: Principal, tenant: string | null, what: string): void {
  const scope = visibleTenant(p);
  if (scope !== null && scope !== tenant) throw new CgdashError('not_found', `no ${what}`);
}

/** The managed cgroup prefix of a tenant's slice. */
export function tenantRefPrefix(tenant: string): string {
  return `tenants/${tenant}`;
}

/**
 * Cgroup refs a caller may read: any for those who see the host; for a tenant's members and
 * scoped viewers only their slice (`tenants/<t>` and below, written relative to the managed
 * root). Anything else is "not found", as for containers.
 */
export function assertRefsVisible(p: Principal, refs: readonly string[]): void {
  const scope = visibleTenant(p);
  if (scope === null) return;
  const prefix = tenantRefPrefix(scope);
  for (const ref of refs) {
    const inside = ref === prefix || ref.startsWith(`${prefix}/`);
    if (!inside || ref.split('/').some((s) => s === '..' || s === '.' || s === '')) throw new CgdashError('not_found', `no cgroup "${ref}"`);
  }
}
