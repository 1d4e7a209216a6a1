import { z } from 'zod';
import { hashPassword } from '../../auth/secrets';
import { CgdashError } from '../../lib/errors';
import { adminProcedure, router } from '../trpc';

const password = z.string().min(10, 'at least 10 characters').max(256);

export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.auth.users.list()),

  create: adminProcedure
    .input(
      z
        .object({
          name: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'letters, digits, _ . -, up to 32, starting with a letter'),
          role: z.enum(['admin', 'member', 'viewer']),
          tenant: z.string().max(64).nullable().default(null),
          password,
        })
        .superRefine((u, ctx) => {
          if (u.role === 'member' && !u.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'a tenant member needs a tenant' });
          if (u.role === 'admin' && u.tenant) ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'an admin sees every tenant; leave the tenant empty' });
        }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.tenant) ctx.services.tenants.get(input.tenant);
      return ctx.services.auth.users.create({ name: input.name, role: input.role, tenant: input.tenant, passwordHash: await hashPassword(input.password) });
    }),

  /** Disable: every session ends and every token is revoked, at once. */
  disable: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => {
    if (input.id === ctx.principal.userId) throw new CgdashError('invalid', 'you cannot disable yourself');
    if (!ctx.services.auth.users.byId(input.id)) throw new CgdashError('not_found', 'no such user');
    ctx.services.auth.disableUser(input.id);
    return { ok: true as const };
  }),

  enable: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => {
    if (!ctx.services.auth.users.byId(input.id)) throw new CgdashError('not_found', 'no such user');
    ctx.services.auth.users.setDisabled(input.id, false);
    return { ok: true as const };
  }),

  setPassword: adminProcedure.input(z.object({ id: z.number().int().positive(), password })).mutation(async ({ ctx, input }) => {
    if (!ctx.services.auth.users.byId(input.id)) throw new CgdashError('not_found', 'no such user');
    ctx.services.auth.users.setPasswordHash(input.id, await hashPassword(input.password));
    ctx.services.auth.sessions.destroyAllFor(input.id);
    return { ok: true as const };
  }),

  remove: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => {
    const user = ctx.services.auth.users.byId(input.id);
    if (!user) throw new CgdashError('not_found', 'no such user');
    if (input.id === ctx.principal.userId) throw new CgdashError('invalid', 'you cannot remove yourself');
    if (user.role === 'admin' && ctx.services.auth.users.list().filter((u) => u.role === 'admin' && !u.disabled).length <= 1) {
      throw new CgdashError('invalid', 'this is the last admin');
    }
    ctx.services.auth.users.remove(input.id);
    return { ok: true as const };
  }),
});
