import { z } from 'zod';
import { ContainerSpec } from '../../runtime/spec';
import { Limits } from '../../runtime/spec';
import type { LimitsUpdate } from '../../runtime';
import { CgdashError } from '../../lib/errors';
import type { Context } from '../context';
import { authedProcedure, containerWriteProcedure, hostWriteProcedure, router, streamWithErrors } from '../trpc';

/** A container by name, full id or a unique id prefix. */
const ref = z.string().min(1).max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a container name or id');
const byRef = z.object({ ref });

/** A limits change: each field as in the spec, or null to remove that limit. */
const limitsUpdate = z
  .object(
    Object.fromEntries(
      Object.entries(Limits.shape).map(([k, v]) => {
        // A field left out is unchanged: no spec default may fill it in here.
        const inner = v instanceof z.ZodDefault || v instanceof z.ZodOptional ? (v.unwrap() as z.ZodType) : (v as z.ZodType);
        return [k, inner.nullable().optional()];
      }),
    ),
  )
  .strict() as unknown as z.ZodType<LimitsUpdate>;

function caller(ctx: Context & { principal: NonNullable<Context['principal']> }) {
  return ctx.principal;
}

export const containersRouter = router({
  list: authedProcedure.input(z.object({ all: z.boolean().default(true) }).default({ all: true })).query(({ ctx, input }) =>
    ctx.services.containers.list(caller(ctx), input),
  ),

  get: authedProcedure.input(byRef).query(({ ctx, input }) => ctx.services.containers.get(caller(ctx), input.ref)),

  inspect: authedProcedure.input(byRef).query(({ ctx, input }) => {
    const rec = ctx.services.containers.get(caller(ctx), input.ref);
    return ctx.services.engine.inspect(rec.id);
  }),

  /** Create (and, with start, run) from one ContainerSpec: the form, the CLI and scripts send the same. */
  create: containerWriteProcedure.input(z.object({ spec: ContainerSpec, start: z.boolean().default(true) })).mutation(({ ctx, input }) =>
    ctx.services.containers.create(caller(ctx), input.spec, { start: input.start }),
  ),

  start: containerWriteProcedure.input(byRef).mutation(({ ctx, input }) => ctx.services.engine.start(ctx.services.containers.get(caller(ctx), input.ref).id)),
  stop: containerWriteProcedure.input(byRef.extend({ timeoutSec: z.number().int().min(0).max(3600).optional() })).mutation(({ ctx, input }) =>
    ctx.services.engine.stop(ctx.services.containers.get(caller(ctx), input.ref).id, { timeoutSec: input.timeoutSec }),
  ),
  restart: containerWriteProcedure.input(byRef.extend({ timeoutSec: z.number().int().min(0).max(3600).optional() })).mutation(({ ctx, input }) =>
    ctx.services.engine.restart(ctx.services.containers.get(caller(ctx), input.ref).id, { timeoutSec: input.timeoutSec }),
  ),
  kill: containerWriteProcedure
    .input(byRef.extend({ signal: z.string().regex(/^(SIG)?[A-Z0-9]{2,8}$|^\d{1,2}$/, 'a signal name like SIGTERM or a number').default('SIGKILL') }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.engine.kill(ctx.services.containers.get(caller(ctx), input.ref).id, input.signal);
      return { ok: true as const };
    }),
  pause: containerWriteProcedure.input(byRef).mutation(({ ctx, input }) => ctx.services.engine.pause(ctx.services.containers.get(caller(ctx), input.ref).id)),
  unpause: containerWriteProcedure.input(byRef).mutation(({ ctx, input }) => ctx.services.engine.unpause(ctx.services.containers.get(caller(ctx), input.ref).id)),
  remove: containerWriteProcedure.input(byRef.extend({ force: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    await ctx.services.engine.remove(ctx.services.containers.get(caller(ctx), input.ref).id, { force: input.force });
    return { ok: true as const };
  }),
  wait: authedProcedure.input(byRef.extend({ timeoutMs: z.number().int().min(1).max(86_400_000).optional() })).query(({ ctx, input }) =>
    ctx.services.engine.wait(ctx.services.containers.get(caller(ctx), input.ref).id, { timeoutMs: input.timeoutMs }),
  ),

  update: containerWriteProcedure.input(byRef.extend({ limits: limitsUpdate })).mutation(({ ctx, input }) =>
    ctx.services.containers.update(caller(ctx), input.ref, input.limits),
  ),

  /** Into another tenant's slice, or out of any (null), while it runs. */
  move: hostWriteProcedure
    .input(byRef.extend({ tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a tenant name').nullable() }))
    .mutation(({ ctx, input }) => ctx.services.containers.move(caller(ctx), input.ref, input.tenant)),

  commit: containerWriteProcedure
    .input(byRef.extend({ target: z.string().min(1).max(255), message: z.string().max(1000).optional(), author: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => ({ image: await ctx.services.containers.commit(caller(ctx), input.ref, input.target, input) })),

  top: authedProcedure.input(byRef).query(({ ctx, input }) => ctx.services.engine.top(ctx.services.containers.get(caller(ctx), input.ref).id)),

  logs: authedProcedure
    .input(byRef.extend({ tail: z.number().int().min(0).max(100_000).optional(), since: z.number().int().nonnegative().optional() }))
    .query(({ ctx, input }) =>
      ctx.services.engine.logs(ctx.services.containers.get(caller(ctx), input.ref).id, { tail: input.tail, since: input.since === undefined ? undefined : new Date(input.since) }),
    ),

  /** The backlog (tail/since), then new lines as they come, until the container ends. */
  followLogs: authedProcedure
    .input(byRef.extend({ tail: z.number().int().min(0).max(100_000).optional(), since: z.number().int().nonnegative().optional() }))
    .subscription((opts) => streamWithErrors((async function* ({ ctx, input, signal }) {
      const rec = ctx.services.containers.get(caller(ctx), input.ref);
      yield* ctx.services.engine.followLogs(rec.id, { tail: input.tail, since: input.since === undefined ? undefined : new Date(input.since), signal });
    })(opts))),

  /**
   * `run` without -d: follow a container's output from its first line to its exit code.
   * With start, the container (created, not started) starts after the reader is in place,
   * so nothing is missed even when it exits (and is auto-removed) at once.
   */
  attach: authedProcedure.input(byRef.extend({ start: z.boolean().default(false) })).subscription((opts) => streamWithErrors((async function* ({ ctx, input, signal }) {
    const rec = ctx.services.containers.get(caller(ctx), input.ref);
    if (input.start && ctx.principal.role === 'viewer') throw new CgdashError('forbidden', 'viewers cannot start containers');
    const exited = ctx.services.engine.wait(rec.id);
    const lines = ctx.services.engine.followLogs(rec.id, { signal });
    if (input.start) await ctx.services.engine.start(rec.id);
    for await (const line of lines) yield { type: 'line' as const, line };
    yield { type: 'exit' as const, ...(await exited) };
  })(opts))),

  /**
   * `run` in the foreground, in one request: create, attach the output reader, start, stream
   * the output, end with the exit code. (The same as create + attach with start.)
   */
  run: containerWriteProcedure.input(z.object({ spec: ContainerSpec })).subscription((opts) => streamWithErrors((async function* ({ ctx, input, signal }) {
    const rec = await ctx.services.containers.create(caller(ctx), input.spec, { start: false });
    yield { type: 'created' as const, id: rec.id };
    const exited = ctx.services.engine.wait(rec.id);
    const lines = ctx.services.engine.followLogs(rec.id, { signal });
    await ctx.services.engine.start(rec.id);
    for await (const line of lines) yield { type: 'line' as const, line };
    yield { type: 'exit' as const, ...(await exited) };
  })(opts))),

  exec: containerWriteProcedure
    .input(byRef.extend({ cmd: z.array(z.string().max(4096)).min(1).max(256), timeoutMs: z.number().int().min(100).max(600_000).default(60_000) }))
    .mutation(({ ctx, input }) => ctx.services.engine.exec(ctx.services.containers.get(caller(ctx), input.ref).id, input.cmd, { timeoutMs: input.timeoutMs })),
});
