import { z } from 'zod';
import { limitsInput, toLimitsPatch } from '../schemas/limits';
import { hostReadProcedure, hostWriteProcedure, router } from '../trpc';

/** As in /proc/PID/cgroup ("/a/b"), or relative to the managed root ("containers/web"). */
const cgroupPath = z.string().max(4096, 'path too long');
const allowUnmanaged = z.boolean().default(false);

export const cgroupsRouter = router({
  list: hostReadProcedure.query(({ ctx }) => ctx.services.cgroups.list()),

  get: hostReadProcedure.input(z.object({ path: cgroupPath })).query(({ ctx, input }) => ctx.services.cgroups.get(input.path)),

  create: hostWriteProcedure
    .input(z.object({ path: cgroupPath.min(1, 'name the cgroup'), limits: limitsInput.optional(), allowUnmanaged }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.cgroups.create(input.path, {
        allowUnmanaged: input.allowUnmanaged,
        limits: input.limits ? toLimitsPatch(input.limits) : undefined,
      });
      return ctx.services.cgroups.get(input.path);
    }),

  remove: hostWriteProcedure
    .input(z.object({ path: cgroupPath.min(1), kill: z.boolean().default(false), allowUnmanaged }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.cgroups.remove(input.path, { kill: input.kill, allowUnmanaged: input.allowUnmanaged });
      return { ok: true as const };
    }),

  setLimits: hostWriteProcedure
    .input(z.object({ path: cgroupPath, limits: limitsInput, allowUnmanaged }))
    .mutation(async ({ ctx, input }) => {
      const patch = toLimitsPatch(input.limits);
      const limits = await ctx.services.cgroups.setLimits(input.path, patch, { allowUnmanaged: input.allowUnmanaged });
      ctx.services.monitor.recordLimitsChanged(input.path, ctx.principal.name, patch);
      return limits;
    }),

  move: hostWriteProcedure
    .input(z.object({ pid: z.number().int().positive(), path: cgroupPath, allowUnmanaged }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.cgroups.moveProcess(input.pid, input.path, { allowUnmanaged: input.allowUnmanaged });
      return { ok: true as const };
    }),
});
