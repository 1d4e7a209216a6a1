import type { Role } from '@/server/auth/principal';

export interface NavItem {
  href: string;
  label: string;
  /** Roles that see the item; all when absent. */
  roles?: Role[];
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
      { href: '/', label: 'Overview', key: 'o' },
      { href: '/cgroups', label: 'Cgroups', key: 'c' },
      { href: '/namespaces', label: 'Namespaces', key: 'n' },
      { href: '/processes', label: 'Processes', key: 'p' },
    ],
  },
  {
    title: 'Account',
    items: [{ href: '/settings', label: 'Settings', key: 's' }],
  },
];
