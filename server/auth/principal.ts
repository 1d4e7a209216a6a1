export type Role = 'admin' | 'member' | 'viewer';

/**
 * Who is calling. Tenant members and viewers may be scoped to one tenant (`tenant`);
 * an admin or an unscoped viewer sees everything.
 */
export interface Principal {
  userId: number;
  name: string;
  role: Role;
  tenant: string | null;
  via: 'session' | 'token';
  /** Set when authenticated by an API token. */
  tokenId: number | null;
  /** The user has no password yet (first login by a one-time link). */
  mustSetPassword: boolean;
}

export function canWrite(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'member';
}
