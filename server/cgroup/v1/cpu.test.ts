import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { sharesToWeight, v1CpuDriver, weightToShares } from './cpu';

const v1 = fixturePath('v1');
const CPU = 'sys/fs/cgroup/cpu,cpuacct/system.slice/cgdash';

describe('cpu.shares ↔ cpu.weight', () => {
  it('uses the runc/systemd formula', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
    expect(sharesToWeight(512)).toBe(20);
  });

  it('writes the smallest shares that read back as the same weight, for every weight', () => {
    for (let w = 1; w <= 10000; w++) expect(sharesToWeight(weightToShares(w))).toBe(w);
    expect(weightToShares(1)).toBe(2);
    expect(weightToShares(10000)).toBe(262144);
    expect(weightToShares(100)).toBe(2598);
  });
});

describe('v1 cpu driver on the fixture', () => {
  it('reads CFS bandwidth and shares', async () => {
    expect(await v1CpuDriver.readLimits?.(await fixtureDir(v1, 'cpu', '/system.slice/cgdash/web'))).toEqual({
      cpu: { maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 20 },
    });
    expect(await v1CpuDriver.readLimits?.(await fixtureDir(v1, 'cpu', '/system.slice/cgdash/idle'))).toEqual({
      cpu: { maxQuotaUs: null, maxPeriodUs: 100000, weight: 39 },
    });
  });

  it('reads throttling, converting throttled_time from ns to µs', async () => {
    expect(await v1CpuDriver.readUsage?.(await fixtureDir(v1, 'cpu', '/system.slice/cgdash/web'), new Set(['cpu']))).toEqual({
      cpu: { nrPeriods: 4711n, nrThrottled: 123n, throttledUsec: 9876543n },
    });
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v1');
    });
    afterEach(async () => fx.cleanup());

    it('--cpus 0.5 writes cfs_quota_us=50000 and cfs_period_us=100000', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', '/system.slice/cgdash/idle');
      await v1CpuDriver.apply?.(d, { cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000 }, ctx);
      expect(await fx.read(`${CPU}/idle/cpu.cfs_quota_us`)).toBe('50000');
      expect(await fx.read(`${CPU}/idle/cpu.cfs_period_us`)).toBe('100000');
    });

    it('writes -1 for no quota and default shares for a null weight', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', '/system.slice/cgdash/web');
      await v1CpuDriver.apply?.(d, { cpuMaxQuotaUs: null, cpuWeight: null }, ctx);
      expect(await fx.read(`${CPU}/web/cpu.cfs_quota_us`)).toBe('-1');
      expect(await fx.read(`${CPU}/web/cpu.shares`)).toBe('1024');
      expect(await fx.read(`${CPU}/web/cpu.cfs_period_us`)).toBe('100000\n'); // untouched
    });

    it('maps a weight to shares', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', '/system.slice/cgdash/web');
      await v1CpuDriver.apply?.(d, { cpuWeight: 100 }, ctx);
      expect(await fx.read(`${CPU}/web/cpu.shares`)).toBe('2598');
    });

    it('undoes its writes through the journal', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', '/system.slice/cgdash/web');
      await v1CpuDriver.apply?.(d, { cpuMaxQuotaUs: 20000, cpuMaxPeriodUs: 50000, cpuWeight: 5000 }, ctx);
      expect(await ctx.journal.rollback()).toEqual([]);
      expect(await fx.read(`${CPU}/web/cpu.cfs_quota_us`)).toBe('50000');
      expect(await fx.read(`${CPU}/web/cpu.cfs_period_us`)).toBe('100000');
      expect(await fx.read(`${CPU}/web/cpu.shares`)).toBe('512');
    });
  });
});
