import { describe, expect, it } from 'vitest';
import type { Limits } from '@/server/cgroup';
import { LimitsCache, limitsView, weightToShares } from './limits';

const limits = (quota: number | null, memMax: bigint | null): Limits => ({
  cpu: { maxQuotaUs: quota, maxPeriodUs: 100_000, weight: 100 },
  cpuset: null,
  memory: { max: memMax, high: null, low: null, swapMax: null },
  io: null,
  pids: { max: 64 },
});

describe('limitsView', () => {
  it('has the quota in CPUs, bytes as numbers, shares from the weight', () => {
    const v = limitsView(limits(20_000, 64n * 1048576n), 5);
    expect(v).toMatchObject({ cpuQuotaCores: 0.2, cpuQuotaUs: 20_000, cpuPeriodUs: 100_000, memoryMaxBytes: 64 * 1048576, pidsMax: 64, readAt: 5 });
    expect(limitsView(limits(null, null), 0)).toMatchObject({ cpuQuotaCores: null, memoryMaxBytes: null });
  });
  it('converts cpu.weight back to cpu.shares as cAdvisor does', () => {
    expect(weightToShares(100)).toBe(2597);
    expect(weightToShares(1)).toBe(2);
    expect(weightToShares(10000)).toBe(262144);
  });
});

describe('LimitsCache', () => {
  it('reads unread cgroups first (watched ones before the rest), then the oldest, never too often', async () => {
    let now = 1_000_000;
    const reads: string[] = [];
    const cache = new LimitsCache({ read: async (ref) => (reads.push(ref), limits(null, null)), now: () => now, minAgeMs: 30_000 });
    cache.setRefs(['a', 'b', 'c']);
    cache.setWatched(['c']);
    for (let i = 0; i < 3; i++) {
      await cache.step();
      now += 1000;
    }
    expect(reads).toEqual(['c', 'a', 'b']);
    expect(cache.pickNext()).toBeNull();
    now += 31_000;
    expect(cache.pickNext()?.ref).toBe('c');
  });

  it('reads a cgroup at once when its limits changed, and says when it is done', async () => {
    let quota: number | null = null;
    const cache = new LimitsCache({ read: async () => limits(quota, null) });
    cache.setRefs(['web']);
    cache.start();
    try {
      await cache.invalidate('web');
      expect(cache.get('web')?.cpuQuotaCores).toBeNull();
      quota = 50_000;
      await cache.invalidate('web');
      expect(cache.get('web')?.cpuQuotaCores).toBe(0.5);
    } finally {
      cache.stop();
    }
  });

  it('forgets cgroups that are gone', async () => {
    const cache = new LimitsCache({ read: async () => limits(null, null) });
    cache.setRefs(['a']);
    await cache.step();
    expect(cache.get('a')).not.toBeNull();
    cache.setRefs([]);
    expect(cache.get('a')).toBeNull();
  });
});
