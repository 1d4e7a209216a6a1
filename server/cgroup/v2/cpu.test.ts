import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { cpuUsageFromStat, formatCpuMax, parseCpuMax, v2CpuDriver, v2CpuStatDriver } from './cpu';

const v2 = fixturePath('v2');
const MR = '/system.slice/cgdash.service/cgdash';
const DIR = `sys/fs/cgroup${MR}`;

describe('cpu.max', () => {
  it('parses and formats', () => {
    expect(parseCpuMax('max 100000\n')).toEqual({ quotaUs: null, periodUs: 100000 });
    expect(parseCpuMax('50000 100000\n')).toEqual({ quotaUs: 50000, periodUs: 100000 });
    expect(formatCpuMax({ quotaUs: null, periodUs: 20000 })).toBe('max 20000');
    expect(() => parseCpuMax('50000\n')).toThrow(/cpu\.max/);
  });
});

describe('v2 cpu driver', () => {
  it('reads cpu.max and cpu.weight', async () => {
    expect(await v2CpuDriver.readLimits?.(await fixtureDir(v2, 'cpu', `${MR}/web`))).toEqual({ cpu: { maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 200 } });
  });

  it('has no limits at the root (no cpu.max there)', async () => {
    expect(await v2CpuDriver.readLimits?.(await fixtureDir(v2, 'cpu', '/'))).toEqual({});
  });

  it('reads cpu.stat with throttling', async () => {
    expect(await v2CpuDriver.readUsage?.(await fixtureDir(v2, 'cpu', `${MR}/web`), new Set(['cpu']))).toEqual({
      cpu: { usageUsec: 8876543n, userUsec: 6200000n, systemUsec: 2676543n, nrPeriods: 4711n, nrThrottled: 123n, throttledUsec: 456789n },
    });
  });

  it('reads the core fields alone where the cpu controller is off', async () => {
    expect(cpuUsageFromStat('usage_usec 5\nuser_usec 3\nsystem_usec 2\n')).toEqual({ usageUsec: 5n, userUsec: 3n, systemUsec: 2n });
    expect((await v2CpuStatDriver.readUsage?.(await fixtureDir(v2, 'cpu', '/'), new Set(['cpu'])))?.cpu?.usageUsec).toBe(987654321098n);
    expect(v2CpuStatDriver.patchKeys).toEqual([]);
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v2');
    });
    afterEach(async () => fx.cleanup());

    it('--cpus 0.5 writes cpu.max "50000 100000"', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', `${MR}/idle`);
      await v2CpuDriver.apply?.(d, { cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000 }, ctx);
      expect(await fx.read(`${DIR}/idle/cpu.max`)).toBe('50000 100000');
    });

    it('keeps the other half of cpu.max', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', `${MR}/web`);
      await v2CpuDriver.apply?.(d, { cpuMaxPeriodUs: 20000 }, ctx);
      expect(await fx.read(`${DIR}/web/cpu.max`)).toBe('50000 20000');
      await v2CpuDriver.apply?.(d, { cpuMaxQuotaUs: null }, ctx);
      expect(await fx.read(`${DIR}/web/cpu.max`)).toBe('max 20000');
    });

    it('writes cpu.weight, 100 for null', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpu', `${MR}/web`);
      await v2CpuDriver.apply?.(d, { cpuWeight: 1234 }, ctx);
      expect(await fx.read(`${DIR}/web/cpu.weight`)).toBe('1234');
      await v2CpuDriver.apply?.(d, { cpuWeight: null }, ctx);
      expect(await fx.read(`${DIR}/web/cpu.weight`)).toBe('100');
    });
  });
});
