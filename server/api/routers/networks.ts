import { z } from 'zod';
import { authedProcedure, hostWriteProcedure, router } from '../trpc';

const networkName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'lowercase letters, digits, _ . -, up to 32');

export const networksRouter = router({
  /** Every network; a tenant member sees only their own containers in each. */
  list: authedProcedure.query(async ({ ctx }) => {
    const networks = await ctx.services.network.list();
    const visible = new Set(ctx.services.containers.list(ctx.principal, { all: true }).map((c) => c.id));
    return networks.map((n) => ({ ...n, containers: n.containers.filter((c) => visible.has(c.containerId)) }));
  }),
  create: hostWriteProcedure
    .input(
      z.object({
        name: networkName,
        subnet: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 subnet like 10.90.0.0/24').optional(),
        gateway: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address').optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.network.create(input)),
  remove: hostWriteProcedure.input(z.object({ name: networkName })).mutation(async ({ ctx, input }) => {
    await ctx.services.network.remove(input.name);
    return { ok: true as const };
  }),
});
