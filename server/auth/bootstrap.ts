import type { AuthService } from './service';

/**
 * First start: make the admin and hand out a one-time login link (as Jupyter does).
 * Later starts: while the admin has no password yet, a fresh link is printed so nobody is locked out.
 * CGDASH_ADMIN_TOKEN, when set, is made a live API token of the admin for automation.
 */
export function bootstrapAdmin(
  auth: AuthService,
  options: { adminToken?: string; baseUrl: string },
): { loginUrl: string | null; adminName: string } {
  let admin = auth.users.firstAdmin();
  if (!admin) admin = auth.users.create({ name: 'admin', role: 'admin' });
  if (options.adminToken) auth.tokens.ensurePreset(admin.id, 'CGDASH_ADMIN_TOKEN', options.adminToken);
  if (admin.hasPassword) return { loginUrl: null, adminName: admin.name };
  const link = auth.links.create(admin.id);
  return { loginUrl: `${options.baseUrl}/login?token=${encodeURIComponent(link)}`, adminName: admin.name };
}
