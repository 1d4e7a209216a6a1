/**
 * cgroup v2 memory controller. Limits: memory.max/high/low and memory.swap.max (swap alone,
 * unlike v1's memory+swap). Usage: memory.current/peak, memory.stat, memory.events.
 * All of it is hierarchical: a cgroup's numbers include its descendants.
 */
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver } from '../driver';
import { readCgroupFile, readOptional, type CgroupDir } from '../fsio';
import type { MemoryLimits, MemoryUsage } from '../model';
import { parseFlatKeyed, parseLimit, parseUint } from '../parse';
import { checkMemoryMaxAboveUsage } from '../validate';

/** memory.events: counters of how often each boundary was hit. */
export interface MemoryEventsFile {
  low: bigint;
  high: bigint;
  max: bigint;
  oom: bigint;
  oomKill: bigint;
}

export function parseMemoryEvents(text: string): MemoryEventsFile {
  const m = parseFlatKeyed(text, 'memory.events');
  return {
    low: m.get('low') ?? 0n,
    high: m.get('high') ?? 0n,
    max: m.get('max') ?? 0n,
    oom: m.get('oom') ?? 0n,
    oomKill: m.get('oom_kill') ?? 0n,
  };
}

async function optionalLimit(d: CgroupDir, file: string): Promise<bigint | null> {
  const text = await readOptional(d, file);
  return text === null ? null : parseLimit(text, file);
}

const limitText = (v: bigint | null): string => (v === null ? 'max' : v.toString());

export const v2MemoryDriver: ControllerDriver = {
  name: 'v2 memory',
  patchKeys: ['memoryMax', 'memoryHigh', 'memoryLow', 'memorySwapMax'],
  usageAreas: ['memory'],

  async readLimits(d) {
    const max = await readOptional(d, 'memory.max');
    if (max === null) return {};
    const memory: MemoryLimits = {
      max: parseLimit(max, 'memory.max'),
      high: await optionalLimit(d, 'memory.high'),
      low: await optionalLimit(d, 'memory.low'),
      swapMax: await optionalLimit(d, 'memory.swap.max'),
    };
    return { memory };
  },

  async readUsage(d) {
    const current = await readOptional(d, 'memory.current');
    if (current === null) return {};
    const statText = await readOptional(d, 'memory.stat');
    const stat = statText === null ? new Map<string, bigint>() : parseFlatKeyed(statText, 'memory.stat');
    // memory.events counts the whole subtree (a container's OOM kill shows in every parent);
    // memory.events.local (Linux 5.2+) counts this cgroup alone, as v1's counters do.
    const eventsText = (await readOptional(d, 'memory.events.local')) ?? (await readOptional(d, 'memory.events'));
    const events = eventsText === null ? null : parseMemoryEvents(eventsText);
    const peak = await readOptional(d, 'memory.peak'); // since Linux 5.19
    const swap = await readOptional(d, 'memory.swap.current'); // absent without swap accounting
    const memory: MemoryUsage = {
      current: parseUint(current, 'memory.current'),
      peak: peak === null ? null : parseUint(peak, 'memory.peak'),
      anon: stat.get('anon') ?? null,
      file: stat.get('file') ?? null,
      // "kernel" appeared in 5.18; older kernels only have its parts.
      kernel: stat.get('kernel') ?? null,
      swapCurrent: swap === null ? null : parseUint(swap, 'memory.swap.current'),
      pgfault: stat.get('pgfault') ?? null,
      pgmajfault: stat.get('pgmajfault') ?? null,
      events: {
        low: events?.low ?? null,
        high: events?.high ?? null,
        max: events?.max ?? null,
        oom: events?.oom ?? null,
        oomKill: events?.oomKill ?? null,
      },
      underOom: null, // v2 has no such state; memory.events counts instead
    };
    return { memory };
  },

  async check(d, patch) {
    if (patch.memoryMax != null) {
      checkMemoryMaxAboveUsage(patch.memoryMax, parseUint(await readCgroupFile(d, 'memory.current'), 'memory.current'), d.path);
    }
    if (patch.memorySwapMax !== undefined && (await readOptional(d, 'memory.swap.max')) === null) {
      throw new CgdashError('unavailable', 'memorySwapMax: this kernel has no swap accounting (no memory.swap.max)', { field: 'memorySwapMax' });
    }
  },

  async apply(d, patch, ctx) {
    // low and high before max: when all three shrink, max last keeps high ≤ max meaningful.
    if (patch.memoryLow !== undefined) await ctx.journal.write(d, 'memory.low', limitText(patch.memoryLow), { field: 'memoryLow' });
    if (patch.memoryHigh !== undefined) await ctx.journal.write(d, 'memory.high', limitText(patch.memoryHigh), { field: 'memoryHigh' });
    if (patch.memoryMax !== undefined) await ctx.journal.write(d, 'memory.max', limitText(patch.memoryMax), { field: 'memoryMax' });
    if (patch.memorySwapMax !== undefined) await ctx.journal.write(d, 'memory.swap.max', limitText(patch.memorySwapMax), { field: 'memorySwapMax' });
  },
};
