import { describe, expect, it } from 'vitest';
import { fixtureDir, fixturePath } from '../testing';
import { ticksToUsec, v1CpuacctDriver } from './cpuacct';

const v1 = fixturePath('v1');

describe('v1 cpuacct driver', () => {
  it('converts USER_HZ ticks to µs', () => {
    expect(ticksToUsec(1n)).toBe(10000n);
    expect(ticksToUsec(700n)).toBe(7000000n);
  });

  it('reads usage in ns as µs and user/system ticks as µs', async () => {
    expect(await v1CpuacctDriver.readUsage?.(await fixtureDir(v1, 'cpuacct', '/system.slice/cgdash/web'), new Set(['cpu']))).toEqual({
      cpu: { usageUsec: 9876543n, userUsec: 7000000n, systemUsec: 2500000n },
    });
  });

  it('keeps 64-bit counters exact at the root', async () => {
    const usage = await v1CpuacctDriver.readUsage?.(await fixtureDir(v1, 'cpuacct', '/'), new Set(['cpu']));
    expect(usage?.cpu?.usageUsec).toBe(987654321098n); // 987654321098765 ns
  });

  it('offers no limits', () => {
    expect(v1CpuacctDriver.patchKeys).toEqual([]);
  });
});
