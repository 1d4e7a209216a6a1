import type { Principal } from '@/server/auth/principal';

/**
 * Who sees an item: 'host' = admins and viewers of the whole host; 'admin' = admins;
 * 'all' = everyone, tenant members included (they see their own slice there).
 */
export type NavScope = 'host' | 'admin' | 'all';

export interface NavItem {
  href: string;
  label: string;
  scope: NavScope;
  /** A single-letter keyboard shortcut after "g" (g then c → Cgroups). */
  key?: string;
}

export interface NavSection {
  title: string;
  items: NavItem[];
}

export const navSections: NavSection[] = [
  {
    title: 'Host',
    items: [
      { href: '/', label: 'Overview', key: 'o', scope: 'host' },
      { href: '/cgroups', label: 'Cgroups', key: 'c', scope: 'host' },
      { href: '/namespaces', label: 'Namespaces', key: 'n', scope: 'host' },
      { href: '/processes', label: 'Processes', key: 'p', scope: 'host' },
      { href: '/top', label: 'Top', key: 't', scope: 'host' },
      { href: '/events', label: 'Events', key: 'e', scope: 'host' },
    ],
  },
  {
    title: 'Containers',
    items: [
      { href: '/containers', label: 'Containers', key: 'k', scope: 'all' },
      { href: '/images', label: 'Images', key: 'i', scope: 'all' },
      { href: '/networks', label: 'Networks', key: 'w', scope: 'all' },
    ],
  },
  {
    title: 'Tenants',
    items: [{ href: '/tenants', label: 'Tenants', key: 'm', scope: 'all' }],
  },
  {
    title: 'Admin',
    items: [
      { href: '/users', label: 'Users', key: 'u', scope: 'admin' },
      { href: '/audit', label: 'Audit log', key: 'a', scope: 'admin' },
    ],
  },
  {
    title: 'Account',
    items: [{ href: '/settings', label: 'Settings', key: 's', scope: 'all' }],
  },
];

export function seesHost(p: Pick<Principal, 'role' | 'tenant'>): boolean {
  return p.role === 'admin' || (p.role === 'viewer' && p.tenant === null);
}

export function canSee(item: NavItem, p: Pick<Principal, 'role' | 'tenant'>): boolean {
  if (item.scope === 'all') return true;
  if (item.scope === 'admin') return p.role === 'admin';
  return seesHost(p);
}

/** Where a user lands: the host overview, or their own slice. */
export function homeOf(p: Pick<Principal, 'role' | 'tenant'>): string {
  return seesHost(p) ? '/' : '/tenants';
}
