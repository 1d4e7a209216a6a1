import { z } from 'zod';
import type { Context } from '../context';
import { authedProcedure, publicProcedure, router, sameOriginProcedure } from '../trpc';

const password = z.string().min(10, 'at least 10 characters').max(256);

function auditLogin(ctx: Context, name: string, ok: boolean, message: string | null) {
  ctx.services.auth.audit.record({
    userId: null,
    userName: name,
    action: 'auth.login',
    target: name,
    params: undefined,
    ip: ctx.ip,
    result: ok ? 'ok' : 'denied',
    message,
  });
}

export const authRouter = router({
  /** Who am I, and may this server change the host at all. Public: the login page asks it. */
  me: publicProcedure.query(({ ctx }) => ({
    user: ctx.principal,
    version: ctx.services.settings.version,
    readOnlyReason: ctx.services.settings.readOnlyReason,
  })),

  login: sameOriginProcedure
    .input(z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      try {
        const { secret } = await ctx.services.auth.login(input.name, input.password, { ip: ctx.ip, userAgent: ctx.userAgent });
        ctx.setSessionCookie(secret);
        auditLogin(ctx, input.name, true, null);
        return { ok: true as const };
      } catch (err) {
        auditLogin(ctx, input.name, false, err instanceof Error ? err.message : String(err));
        throw err;
      }
    }),

  loginWithLink: sameOriginProcedure
    .input(z.object({ token: z.string().min(8).max(256) }))
    .mutation(({ ctx, input }) => {
      try {
        const { secret, userId } = ctx.services.auth.loginWithLink(input.token, { ip: ctx.ip, userAgent: ctx.userAgent });
        ctx.setSessionCookie(secret);
        const user = ctx.services.auth.users.byId(userId);
        auditLogin(ctx, user?.name ?? String(userId), true, 'one-time link');
        return { mustSetPassword: !user?.hasPassword };
      } catch (err) {
        auditLogin(ctx, '(link)', false, err instanceof Error ? err.message : String(err));
        throw err;
      }
    }),

  logout: authedProcedure.mutation(({ ctx }) => {
    if (ctx.sessionSecret) ctx.services.auth.sessions.destroy(ctx.sessionSecret);
    ctx.clearSessionCookie();
    return { ok: true as const };
  }),

  setPassword: authedProcedure
    .input(z.object({ password, currentPassword: z.string().max(256).optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.setPassword(ctx.principal.userId, input.password, input.currentPassword);
      return { ok: true as const };
    }),

  tokens: router({
    list: authedProcedure.query(({ ctx }) => ctx.services.auth.tokens.listFor(ctx.principal.userId)),
    create: authedProcedure
      .input(z.object({ name: z.string().trim().min(1, 'give the token a name').max(64) }))
      .mutation(({ ctx, input }) => {
        const { token, secret } = ctx.services.auth.tokens.create(ctx.principal.userId, input.name);
        return { token, secret };
      }),
    revoke: authedProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => {
      ctx.services.auth.tokens.revoke(input.id, ctx.principal.userId);
      return { ok: true as const };
    }),
  }),
});
