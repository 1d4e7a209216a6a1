import { z } from 'zod';
import { adminProcedure, router } from '../trpc';

const filter = z.object({
  user: z.string().max(64).optional(),
  action: z.string().max(128).optional(),
  result: z.enum(['ok', 'error', 'denied']).optional(),
  since: z.number().int().nonnegative().optional(),
  until: z.number().int().nonnegative().optional(),
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(10_000).default(200),
});

export const auditRouter = router({
  list: adminProcedure.input(filter).query(({ ctx, input }) => ctx.services.auth.audit.list(input)),

  /** The filtered log as JSON lines, oldest first, for download. */
  export: adminProcedure.input(filter.extend({ limit: z.number().int().min(1).max(100_000).default(100_000) })).query(({ ctx, input }) =>
    ctx.services.auth.audit
      .list(input)
      .reverse()
      .map((e) => JSON.stringify({ ...e, at: new Date(e.at).toISOString() }))
      .join('\n'),
  ),
});
