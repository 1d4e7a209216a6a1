/**
 * cgroup v1 memory controller, mapped onto the v2 model:
 *   memory.limit_in_bytes      ↔ memory.max
 *   memory.soft_limit_in_bytes ↔ memory.low (both are "reclaim others first" hints)
 *   memory.memsw.limit_in_bytes = max + swap: v1 limits memory and swap together, v2 limits
 *     swap alone, so swap = memsw − max on read and memsw = max + swap on write
 *   memory.high                — v2 only: read as null, writes refused
 * Usage uses the hierarchical total_* keys of memory.stat, matching v2's hierarchical numbers.
 */
import { CgdashError } from '@/server/lib/errors';
import { formatBytes } from '@/server/lib/units';
import type { ControllerDriver } from '../driver';
import { readCgroupFile, readOptional, type CgroupDir } from '../fsio';
import type { MemoryLimits, MemoryUsage } from '../model';
import { parseFlatKeyed, parseLimit, parseUint } from '../parse';
import { checkMemoryMaxAboveUsage } from '../validate';

/** memory.oom_control: "oom_kill_disable 0", "under_oom 0", and since 4.13 "oom_kill N". */
export interface OomControlFile {
  oomKillDisable: boolean;
  underOom: boolean;
  oomKill: bigint | null;
}

export function parseOomControl(text: string): OomControlFile {
  const m = parseFlatKeyed(text, 'memory.oom_control');
  return { oomKillDisable: m.get('oom_kill_disable') === 1n, underOom: m.get('under_oom') === 1n, oomKill: m.get('oom_kill') ?? null };
}

/** null = unlimited = +∞ when comparing limits. */
function greater(a: bigint | null, b: bigint | null): boolean {
  if (a === null) return b !== null;
  return b !== null && a > b;
}

const limitText = (v: bigint | null): string => (v === null ? '-1' : v.toString());

async function optionalUint(d: CgroupDir, file: string): Promise<bigint | null> {
  const text = await readOptional(d, file);
  return text === null ? null : parseUint(text, file);
}

export const v1MemoryDriver: ControllerDriver = {
  name: 'v1 memory',
  patchKeys: ['memoryMax', 'memoryHigh', 'memoryLow', 'memorySwapMax'],
  usageAreas: ['memory'],

  async readLimits(d) {
    const limit = await readOptional(d, 'memory.limit_in_bytes');
    if (limit === null) return {};
    const max = parseLimit(limit, 'memory.limit_in_bytes');
    const soft = await readOptional(d, 'memory.soft_limit_in_bytes');
    const memsw = await readOptional(d, 'memory.memsw.limit_in_bytes'); // absent without swapaccount=1
    const memswMax = memsw === null ? null : parseLimit(memsw, 'memory.memsw.limit_in_bytes');
    const memory: MemoryLimits = {
      max,
      high: null,
      low: soft === null ? null : parseLimit(soft, 'memory.soft_limit_in_bytes'),
      swapMax: max === null || memswMax === null ? null : memswMax - max,
    };
    return { memory };
  },

  async readUsage(d) {
    const usage = await readOptional(d, 'memory.usage_in_bytes');
    if (usage === null) return {};
    const current = parseUint(usage, 'memory.usage_in_bytes');
    const statText = await readOptional(d, 'memory.stat');
    const stat = statText === null ? new Map<string, bigint>() : parseFlatKeyed(statText, 'memory.stat');
    const oomText = await readOptional(d, 'memory.oom_control');
    const oom = oomText === null ? null : parseOomControl(oomText);
    const memswUsage = await optionalUint(d, 'memory.memsw.usage_in_bytes');
    const memory: MemoryUsage = {
      current,
      peak: await optionalUint(d, 'memory.max_usage_in_bytes'),
      // v1 "rss" is anonymous memory (v2 "anon"), "cache" is the page cache (v2 "file").
      anon: stat.get('total_rss') ?? stat.get('rss') ?? null,
      file: stat.get('total_cache') ?? stat.get('cache') ?? null,
      kernel: await optionalUint(d, 'memory.kmem.usage_in_bytes'),
      swapCurrent: memswUsage === null ? null : memswUsage > current ? memswUsage - current : 0n,
      pgfault: stat.get('total_pgfault') ?? stat.get('pgfault') ?? null,
      pgmajfault: stat.get('total_pgmajfault') ?? stat.get('pgmajfault') ?? null,
      events: {
        low: null,
        high: null,
        // failcnt counts how often usage hit the limit: v2's "max" event.
        max: await optionalUint(d, 'memory.failcnt'),
        oom: null,
        oomKill: oom?.oomKill ?? null,
      },
      underOom: oom ? oom.underOom : null,
    };
    return { memory };
  },

  async check(d, patch) {
    if (patch.memoryHigh != null) {
      throw new CgdashError('unavailable', 'memoryHigh: memory.high exists only on cgroup v2; this host runs the memory controller on cgroup v1', {
        field: 'memoryHigh',
      });
    }
    if (patch.memoryMax != null) {
      checkMemoryMaxAboveUsage(patch.memoryMax, parseUint(await readCgroupFile(d, 'memory.usage_in_bytes'), 'memory.usage_in_bytes'), d.path);
    }
    if (patch.memorySwapMax !== undefined) {
      if ((await readOptional(d, 'memory.memsw.limit_in_bytes')) === null) {
        throw new CgdashError('unavailable', 'memorySwapMax: swap accounting is off on this host (no memory.memsw.limit_in_bytes; boot with swapaccount=1)', {
          field: 'memorySwapMax',
        });
      }
      const max = patch.memoryMax !== undefined ? patch.memoryMax : parseLimit(await readCgroupFile(d, 'memory.limit_in_bytes'), 'memory.limit_in_bytes');
      if (patch.memorySwapMax !== null && max === null) {
        throw new CgdashError('invalid', `memorySwapMax: cgroup v1 limits memory and swap together, so a swap limit of ${formatBytes(patch.memorySwapMax)} needs a memory limit too`, {
          field: 'memorySwapMax',
        });
      }
    }
  },

  async apply(d, patch, ctx) {
    if (patch.memoryLow !== undefined) {
      await ctx.journal.write(d, 'memory.soft_limit_in_bytes', limitText(patch.memoryLow), { field: 'memoryLow' });
    }
    if (patch.memoryMax === undefined && patch.memorySwapMax === undefined) return;

    const curMax = parseLimit(await readCgroupFile(d, 'memory.limit_in_bytes'), 'memory.limit_in_bytes');
    const memswText = await readOptional(d, 'memory.memsw.limit_in_bytes');
    const newMax = patch.memoryMax !== undefined ? patch.memoryMax : curMax;
    const writeMax = () => ctx.journal.write(d, 'memory.limit_in_bytes', limitText(newMax), { field: 'memoryMax' });
    if (memswText === null) {
      if (patch.memoryMax !== undefined) await writeMax();
      return;
    }
    const curMemsw = parseLimit(memswText, 'memory.memsw.limit_in_bytes');
    const curSwap = curMax === null || curMemsw === null ? null : curMemsw - curMax;
    const newSwap = patch.memorySwapMax !== undefined ? patch.memorySwapMax : curSwap;
    // Without a memory limit memsw must be unlimited too (the kernel keeps memsw ≥ limit).
    const newMemsw = newMax === null || newSwap === null ? null : newMax + newSwap;
    const writeMemsw = () =>
      ctx.journal.write(d, 'memory.memsw.limit_in_bytes', limitText(newMemsw), {
        field: patch.memorySwapMax !== undefined ? 'memorySwapMax' : 'memoryMax',
      });
    const memswChanges = newMemsw !== curMemsw;
    // The kernel refuses any moment where limit > memsw: when the limit grows, raise memsw
    // first; when it shrinks, lower the limit first.
    if (greater(newMax, curMax)) {
      if (memswChanges) await writeMemsw();
      if (patch.memoryMax !== undefined) await writeMax();
    } else {
      if (patch.memoryMax !== undefined) await writeMax();
      if (memswChanges) await writeMemsw();
    }
  },
};
