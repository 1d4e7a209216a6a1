import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { parseMemoryEvents, v2MemoryDriver } from './memory';

const v2 = fixturePath('v2');
const MR = '/system.slice/cgdash.service/cgdash';
const DIR = `sys/fs/cgroup${MR}`;
const MiB = 1n << 20n;

describe('v2 memory driver: reading', () => {
  it('reads max/high/low/swap.max', async () => {
    expect(await v2MemoryDriver.readLimits?.(await fixtureDir(v2, 'memory', `${MR}/web`))).toEqual({
      memory: { max: 256n * MiB, high: 192n * MiB, low: 64n * MiB, swapMax: 0n },
    });
    expect(await v2MemoryDriver.readLimits?.(await fixtureDir(v2, 'memory', `${MR}/idle`))).toEqual({
      memory: { max: null, high: null, low: 0n, swapMax: null },
    });
  });

  it('reads current, peak, memory.stat and memory.events', async () => {
    expect((await v2MemoryDriver.readUsage?.(await fixtureDir(v2, 'memory', `${MR}/web`), new Set(['memory'])))?.memory).toEqual({
      current: 104857600n,
      peak: 157286400n,
      anon: 73400320n,
      file: 31457280n,
      kernel: 5242880n,
      swapCurrent: 0n,
      pgfault: 123456n,
      pgmajfault: 42n,
      events: { low: 0n, high: 17n, max: 7n, oom: 2n, oomKill: 2n },
      underOom: null,
    });
  });

  it('reads an older kernel without memory.peak, swap files or "kernel" as nulls', async () => {
    const d = await fixtureDir(v2, 'memory', '/system.slice/legacy.service');
    const usage = (await v2MemoryDriver.readUsage?.(d, new Set(['memory'])))?.memory;
    expect(usage).toMatchObject({ current: 8388608n, peak: null, swapCurrent: null, kernel: null, anon: 4194304n });
    expect((await v2MemoryDriver.readLimits?.(d))?.memory?.swapMax).toBeNull();
  });

  it('parses memory.events', () => {
    expect(parseMemoryEvents('low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 0\n')).toEqual({ low: 1n, high: 2n, max: 3n, oom: 4n, oomKill: 5n });
  });
});

describe('v2 memory driver: writing', () => {
  let fx: FixtureCopy;
  beforeEach(async () => {
    fx = await copyFixture('v2');
  });
  afterEach(async () => fx.cleanup());

  it('writes bytes, and "max" for no limit', async () => {
    const { d, ctx } = await fixtureWriteTarget(fx.root, 'memory', `${MR}/web`);
    await v2MemoryDriver.apply?.(d, { memoryMax: 512n * MiB, memoryHigh: null, memoryLow: 32n * MiB, memorySwapMax: null }, ctx);
    expect(await fx.read(`${DIR}/web/memory.max`)).toBe(String(512n * MiB));
    expect(await fx.read(`${DIR}/web/memory.high`)).toBe('max');
    expect(await fx.read(`${DIR}/web/memory.low`)).toBe(String(32n * MiB));
    expect(await fx.read(`${DIR}/web/memory.swap.max`)).toBe('max');
  });

  it('refuses a max below memory.current up front, naming it', async () => {
    const { d, ctx } = await fixtureWriteTarget(fx.root, 'memory', `${MR}/web`);
    await expect(v2MemoryDriver.check?.(d, { memoryMax: 64n * MiB }, ctx)).rejects.toMatchObject({
      kind: 'invalid',
      details: expect.objectContaining({ field: 'memoryMax' }),
      message: expect.stringMatching(/64\.0 MiB is below the current memory usage of 100 MiB/),
    });
  });

  it('refuses swap limits without swap accounting', async () => {
    const { d, ctx } = await fixtureWriteTarget(fx.root, 'memory', '/system.slice/legacy.service');
    await expect(v2MemoryDriver.check?.(d, { memorySwapMax: 0n }, ctx)).rejects.toMatchObject({ kind: 'unavailable', details: expect.objectContaining({ field: 'memorySwapMax' }) });
  });
});
