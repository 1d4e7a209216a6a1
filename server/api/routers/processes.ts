import { z } from 'zod';
import { getProcessNamespaces } from '../../namespaces';
import { getProcess } from '../../procfs';
import { CgdashError } from '../../lib/errors';
import { hostReadProcedure, router } from '../trpc';

export const processesRouter = router({
  /** Every process with its CPU % since the previous listing (null on the first). */
  list: hostReadProcedure.query(({ ctx }) => ctx.services.processSampler.sample()),

  get: hostReadProcedure.input(z.object({ pid: z.number().int().positive() })).query(async ({ ctx, input }) => {
    const [info, ns, cgroups] = await Promise.all([
      getProcess(input.pid),
      getProcessNamespaces(input.pid),
      ctx.services.cgroups.cgroupsOfPid(input.pid).catch(() => []),
    ]);
    if (!info) throw new CgdashError('not_found', `no process with pid ${input.pid}`);
    return { info, namespaces: ns, cgroups };
  }),
});
