import type { Principal } from '../auth/principal';

/** Who asks, as the container service needs to know it. */
export type Caller = Pick<Principal, 'name' | 'role' | 'tenant'>;

/** null: may see every tenant's containers and images. */
export function tenantScope(c: Caller): string | null {
  if (c.role === 'admin' || (c.role === 'viewer' && c.tenant === null)) return null;
  return c.tenant ?? '\0none';
}
