import { tracked } from '@trpc/server';
import { z } from 'zod';
import { EVENT_TYPES } from '../../monitor/events';
import { WINDOWS, type HistoryWindow } from '../../monitor/monitor';
import { hostReadProcedure, router } from '../trpc';

/** As in /proc/PID/cgroup ("/a/b"), or relative to the managed root ("containers/web"). */
const cgroupRef = z.string().max(4096, 'path too long');
const refs = z.array(cgroupRef).min(1, 'name at least one cgroup').max(32, 'at most 32 cgroups at once');
const windows = Object.keys(WINDOWS) as [HistoryWindow, ...HistoryWindow[]];
const eventFilter = {
  types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
  /** Exact ref, or a prefix ending in "/". */
  ref: cgroupRef.optional(),
};

export const monitorRouter = router({
  /** Which sampler runs and why, the last sweep, targets, event-loop lag. */
  status: hostReadProcedure.query(({ ctx }) => ctx.services.monitor.status()),

  /** Up to 15 min from memory at full resolution, longer from minute rollups; ≤ 300 points a series. */
  history: hostReadProcedure
    .input(z.object({ refs, window: z.enum(windows) }))
    .query(({ ctx, input }) => ctx.services.monitor.history(input.refs, input.window)),

  /**
   * Each sweep's values for the refs. Pass a history's `lastEventId` to continue it without a
   * gap; on reconnect the client sends the last frame's id and the stream resumes after it.
   */
  live: hostReadProcedure
    .input(z.object({ refs, lastEventId: z.string().max(64).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const { id, frame } of ctx.services.monitor.live(input.refs, input.lastEventId, signal)) yield tracked(id, frame);
    }),

  /** Every cgroup's latest values, each sweep, as JSON text (decode with `decodeTopFrame`). */
  top: hostReadProcedure.subscription(async function* ({ ctx, signal }) {
    yield* ctx.services.monitor.top(signal);
  }),

  /** The limits drawn as chart lines (cpu quota, memory max/high, pids max); null while unknown. */
  limits: hostReadProcedure
    .input(z.object({ refs }))
    .query(({ ctx, input }) => input.refs.map((ref) => ({ ref, limits: ctx.services.monitor.limitsOf(ref) }))),

  /** A slowness check of one cgroup: throttling, memory, pressure, OOM kills together. */
  diagnose: hostReadProcedure.input(z.object({ ref: cgroupRef })).query(({ ctx, input }) => ctx.services.monitor.diagnose(input.ref)),

  events: hostReadProcedure
    .input(
      z.object({
        ...eventFilter,
        since: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(500).default(100),
        beforeId: z.number().int().positive().nullish(),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.services.monitor.listEvents({ types: input.types, ref: input.ref, since: input.since }, input.limit, input.beforeId ?? null),
    ),

  /** New events as they happen; resumes after `lastEventId` (an event id). */
  eventsLive: hostReadProcedure
    .input(z.object({ ...eventFilter, lastEventId: z.string().max(32).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const e of ctx.services.monitor.streamEvents({ types: input.types, ref: input.ref }, input.lastEventId, signal)) {
        yield tracked(String(e.id), e);
      }
    }),
});
