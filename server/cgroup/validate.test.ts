import { describe, expect, it } from 'vitest';
import { checkCpusetSubset, checkMemoryMaxAboveUsage, validatePatch } from './validate';

const field = (f: string) => expect.objectContaining({ kind: 'invalid', details: expect.objectContaining({ field: f }) });

describe('validatePatch', () => {
  it('passes good values through and normalises cpu lists', () => {
    expect(
      validatePatch({ cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000, cpuWeight: 100, cpusetCpus: '3,0-1', memoryMax: 256n << 20n, pidsMax: 64, ioWeight: null }),
    ).toEqual({ cpuMaxQuotaUs: 50000, cpuMaxPeriodUs: 100000, cpuWeight: 100, cpusetCpus: '0-1,3', memoryMax: 268435456n, pidsMax: 64, ioWeight: null });
  });

  it('keeps null (no limit) and leaves out undefined', () => {
    expect(validatePatch({ cpuMaxQuotaUs: null, memoryMax: null, pidsMax: undefined })).toEqual({ cpuMaxQuotaUs: null, memoryMax: null });
  });

  it.each([
    [{ cpuMaxQuotaUs: 999 }, 'cpuMaxQuotaUs'],
    [{ cpuMaxQuotaUs: 1.5 }, 'cpuMaxQuotaUs'],
    [{ cpuMaxPeriodUs: 999 }, 'cpuMaxPeriodUs'],
    [{ cpuMaxPeriodUs: 1_000_001 }, 'cpuMaxPeriodUs'],
    [{ cpuWeight: 0 }, 'cpuWeight'],
    [{ cpuWeight: 10001 }, 'cpuWeight'],
    [{ ioWeight: 0 }, 'ioWeight'],
    [{ pidsMax: 0 }, 'pidsMax'],
    [{ memoryMax: 4095n }, 'memoryMax'],
    [{ memoryMax: 1n << 60n }, 'memoryMax'],
    [{ memoryMax: 1024 }, 'memoryMax'],
    [{ memoryHigh: 1n }, 'memoryHigh'],
    [{ memoryLow: -1n }, 'memoryLow'],
    [{ cpusetCpus: '0-' }, 'cpusetCpus'],
    [{ cpusetMems: 'all' }, 'cpusetMems'],
    [{ cpusetCpus: '' }, 'cpusetCpus'],
    [{ ioMax: [{ device: 'sda', rbps: 1n, wbps: null, riops: null, wiops: null }] }, 'ioMax'],
    [{ ioMax: [{ device: '8:0', rbps: 0n, wbps: null, riops: null, wiops: null }] }, 'ioMax'],
    [
      {
        ioMax: [
          { device: '8:0', rbps: 1n, wbps: null, riops: null, wiops: null },
          { device: '8:0', rbps: 2n, wbps: null, riops: null, wiops: null },
        ],
      },
      'ioMax',
    ],
    [{ bogus: 1 }, 'bogus'],
    [{ memoryMax: 100n << 20n, memoryHigh: 200n << 20n }, 'memoryHigh'],
  ])('refuses %o naming %s', (patch, key) => {
    expect(() => validatePatch(patch as never)).toThrow(field(key));
  });

  it('speaks in human units', () => {
    expect(() => validatePatch({ memoryMax: 1024n })).toThrow(/1\.00 KiB \(1024 bytes\) is below the minimum of 4\.00 KiB/);
  });
});

describe('kernel-state checks', () => {
  it('cpuset must be within the parent', () => {
    expect(() => checkCpusetSubset('cpusetCpus', '0-3', '0-1', '/p')).toThrow(/0-3 is not within the parent's CPUs 0-1 \(\/p\); 2,3 are outside/);
    expect(() => checkCpusetSubset('cpusetCpus', '1', '0-1', '/p')).not.toThrow();
    expect(() => checkCpusetSubset('cpusetMems', '1', '0', '/p')).toThrow(field('cpusetMems'));
  });

  it('memory max below usage names the usage', () => {
    expect(() => checkMemoryMaxAboveUsage(16n << 20n, 70n << 20n, '/cgdash/web')).toThrow(/16\.0 MiB is below the current memory usage of 70\.0 MiB of \/cgdash\/web/);
    expect(() => checkMemoryMaxAboveUsage(70n << 20n, 70n << 20n, '/x')).not.toThrow();
  });
});
