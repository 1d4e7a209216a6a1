import { tracked } from '@trpc/server';
import { z } from 'zod';
import { EVENT_TYPES } from '../../monitor/events';
import { WINDOWS, type HistoryWindow } from '../../monitor/monitor';
import { assertRefsVisible, tenantRefPrefix, visibleTenant } from '../scope';
import { authedProcedure, hostReadProcedure, router, streamWithErrors } from '../trpc';

/** As in /proc/PID/cgroup ("/a/b"), or relative to the managed root ("containers/web"). */
const cgroupRef = z.string().max(4096, 'path too long');
const refs = z.array(cgroupRef).min(1, 'name at least one cgroup').max(32, 'at most 32 cgroups at once');
const windows = Object.keys(WINDOWS) as [HistoryWindow, ...HistoryWindow[]];
const eventFilter = {
  types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
  /** Exact ref, or a prefix ending in "/". */
  ref: cgroupRef.optional(),
};

/** A scoped caller's event filter is always inside their slice (a prefix ends in "/"). */
function scopedEventRef(p: Parameters<typeof visibleTenant>[0], ref: string | undefined): string | undefined {
  const scope = visibleTenant(p);
  if (scope === null) return ref;
  if (ref === undefined) return `${tenantRefPrefix(scope)}/`;
  assertRefsVisible(p, [ref.endsWith('/') ? ref.slice(0, -1) : ref]);
  return ref;
}

export const monitorRouter = router({
  /** Which sampler runs and why, the last sweep, targets, event-loop lag. */
  status: hostReadProcedure.query(({ ctx }) => ctx.services.monitor.status()),

  /** Up to 15 min from memory at full resolution, longer from minute rollups; ≤ 300 points a series. */
  history: authedProcedure
    .input(z.object({ refs, window: z.enum(windows) }))
    .query(({ ctx, input }) => {
      assertRefsVisible(ctx.principal, input.refs);
      return ctx.services.monitor.history(input.refs, input.window);
    }),

  /**
   * Each sweep's values for the refs. Pass a history's `lastEventId` to continue it without a
   * gap; on reconnect the client sends the last frame's id and the stream resumes after it.
   */
  live: authedProcedure
    .input(z.object({ refs, lastEventId: z.string().max(64).nullish() }))
    .subscription((opts) => streamWithErrors((async function* ({ ctx, input, signal }) {
      assertRefsVisible(ctx.principal, input.refs);
      for await (const { id, frame } of ctx.services.monitor.live(input.refs, input.lastEventId, signal)) yield tracked(id, frame);
    })(opts))),

  /** Every cgroup's latest values, each sweep, as JSON text (decode with `decodeTopFrame`). */
  top: hostReadProcedure.subscription((opts) => streamWithErrors((async function* ({ ctx, signal }) {
    yield* ctx.services.monitor.top(signal);
  })(opts))),

  /** The limits drawn as chart lines (cpu quota, memory max/high, pids max); null while unknown. */
  limits: authedProcedure.input(z.object({ refs })).query(({ ctx, input }) => {
    assertRefsVisible(ctx.principal, input.refs);
    return input.refs.map((ref) => ({ ref, limits: ctx.services.monitor.limitsOf(ref) }));
  }),

  /** A slowness check of one cgroup: throttling, memory, pressure, OOM kills together. */
  diagnose: authedProcedure.input(z.object({ ref: cgroupRef })).query(({ ctx, input }) => {
    assertRefsVisible(ctx.principal, [input.ref]);
    return ctx.services.monitor.diagnose(input.ref);
  }),

  /** Events of the host, or, for a tenant's members, of their slice only. */
  events: authedProcedure
    .input(
      z.object({
        ...eventFilter,
        since: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(500).default(100),
        beforeId: z.number().int().positive().nullish(),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.services.monitor.listEvents({ types: input.types, ref: scopedEventRef(ctx.principal, input.ref), since: input.since }, input.limit, input.beforeId ?? null),
    ),

  /** New events as they happen; resumes after `lastEventId` (an event id). */
  eventsLive: authedProcedure
    .input(z.object({ ...eventFilter, lastEventId: z.string().max(32).nullish() }))
    .subscription((opts) => streamWithErrors((async function* ({ ctx, input, signal }) {
      const ref = scopedEventRef(ctx.principal, input.ref);
      for await (const e of ctx.services.monitor.streamEvents({ types: input.types, ref }, input.lastEventId, signal)) {
        yield tracked(String(e.id), e);
      }
    })(opts))),
});
