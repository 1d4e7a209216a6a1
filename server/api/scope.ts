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
