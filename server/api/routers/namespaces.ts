import { z } from 'zod';
import { findNamespace, listInterfaces, scanNamespaces } from '../../namespaces';
import { CgdashError } from '../../lib/errors';
import { hostReadProcedure, hostWriteProcedure, router } from '../trpc';

const netnsName = z.string().min(1, 'give it a name').max(64);

export const namespacesRouter = router({
  /** Every namespace on the host, as `lsns` lists them, plus which processes differ from the host's. */
  list: hostReadProcedure.query(() => scanNamespaces()),

  get: hostReadProcedure.input(z.object({ inode: z.number().int().positive() })).query(async ({ input }) => {
    const ns = await findNamespace(input.inode);
    if (!ns) throw new CgdashError('not_found', `no process is in a namespace with inode ${input.inode}`);
    return ns;
  }),

  netns: router({
    list: hostReadProcedure.query(({ ctx }) => ctx.services.netns.list()),
    add: hostWriteProcedure.input(z.object({ name: netnsName })).mutation(async ({ ctx, input }) => {
      await ctx.services.netns.add(input.name, ctx.principal.name);
      return { ok: true as const };
    }),
    remove: hostWriteProcedure
      .input(z.object({ name: netnsName, allowUnmanaged: z.boolean().default(false) }))
      .mutation(async ({ ctx, input }) => {
        await ctx.services.netns.remove(input.name, { allowUnmanaged: input.allowUnmanaged });
        return { ok: true as const };
      }),
  }),

  /** Interfaces and addresses inside a named netns, a process's netns, or the host's. */
  interfaces: hostReadProcedure
    .input(z.union([z.object({ netns: netnsName }), z.object({ pid: z.number().int().positive() }), z.object({ host: z.literal(true) })]))
    .query(({ input }) => listInterfaces('host' in input ? { self: true } : input)),
});
