import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { parseOomControl, v1MemoryDriver } from './memory';

const v1 = fixturePath('v1');
const MEM = 'sys/fs/cgroup/memory/system.slice/cgdash.service/cgdash';
const WEB = '/system.slice/cgdash.service/cgdash/web';
const IDLE = '/system.slice/cgdash.service/cgdash/idle';
const MiB = 1n << 20n;

describe('v1 memory driver: reading', () => {
  it('maps limits, swap = memsw − limit, and reads 9223372036854771712 as no limit', async () => {
    expect(await v1MemoryDriver.readLimits?.(await fixtureDir(v1, 'memory', WEB))).toEqual({
      memory: { max: 256n * MiB, high: null, low: 128n * MiB, swapMax: 256n * MiB },
    });
    expect(await v1MemoryDriver.readLimits?.(await fixtureDir(v1, 'memory', IDLE))).toEqual({
      memory: { max: null, high: null, low: null, swapMax: null },
    });
  });

  it('maps usage: total_rss → anon, total_cache → file, failcnt → events.max, oom_control', async () => {
    const part = await v1MemoryDriver.readUsage?.(await fixtureDir(v1, 'memory', WEB), new Set(['memory']));
    expect(part?.memory).toEqual({
      current: 104857600n,
      peak: 157286400n,
      anon: 73400320n,
      file: 31457280n,
      kernel: 5242880n,
      swapCurrent: 10n * MiB,
      pgfault: 123456n,
      pgmajfault: 42n,
      events: { low: null, high: null, max: 7n, oom: null, oomKill: 2n },
      underOom: false,
    });
  });

  it('parses oom_control of kernels before 4.13 (no oom_kill line)', () => {
    expect(parseOomControl('oom_kill_disable 1\nunder_oom 1\n')).toEqual({ oomKillDisable: true, underOom: true, oomKill: null });
  });
});

describe('v1 memory driver: writing', () => {
  let fx: FixtureCopy;
  beforeEach(async () => {
    fx = await copyFixture('v1');
  });
  afterEach(async () => fx.cleanup());
  const target = (p = WEB) => fixtureWriteTarget(fx.root, 'memory', p);

  it('writes memsw = max + swap, keeping swap when only max changes', async () => {
    const { d, ctx } = await target();
    await v1MemoryDriver.apply?.(d, { memoryMax: 512n * MiB }, ctx);
    expect(await fx.read(`${MEM}/web/memory.limit_in_bytes`)).toBe(String(512n * MiB));
    expect(await fx.read(`${MEM}/web/memory.memsw.limit_in_bytes`)).toBe(String(768n * MiB));
  });

  it('orders the two writes: memsw first when the limit grows, limit first when it shrinks', async () => {
    const grow = await target();
    await v1MemoryDriver.apply?.(grow.d, { memoryMax: 512n * MiB }, grow.ctx);
    const shrink = await target();
    await v1MemoryDriver.apply?.(shrink.d, { memoryMax: 200n * MiB }, shrink.ctx);
    // The journal records in write order; its undo list shows which file went first.
    const order = (j: unknown) => (j as { undo: { file: string }[] }).undo.map((u) => u.file);
    expect(order(grow.ctx.journal)).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
    expect(order(shrink.ctx.journal)).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    expect(await fx.read(`${MEM}/web/memory.limit_in_bytes`)).toBe(String(200n * MiB));
    expect(await fx.read(`${MEM}/web/memory.memsw.limit_in_bytes`)).toBe(String(456n * MiB)); // swap stays 256 MiB
  });

  it('makes memsw unlimited with the limit', async () => {
    const { d, ctx } = await target();
    await v1MemoryDriver.apply?.(d, { memoryMax: null }, ctx);
    expect(await fx.read(`${MEM}/web/memory.limit_in_bytes`)).toBe('-1');
    expect(await fx.read(`${MEM}/web/memory.memsw.limit_in_bytes`)).toBe('-1');
  });

  it('writes the soft limit for memory.low', async () => {
    const { d, ctx } = await target();
    await v1MemoryDriver.apply?.(d, { memoryLow: 64n * MiB }, ctx);
    expect(await fx.read(`${MEM}/web/memory.soft_limit_in_bytes`)).toBe(String(64n * MiB));
  });

  it('refuses memory.high: v2 only', async () => {
    const { d, ctx } = await target();
    await expect(v1MemoryDriver.check?.(d, { memoryHigh: 64n * MiB }, ctx)).rejects.toMatchObject({
      kind: 'unavailable',
      details: expect.objectContaining({ field: 'memoryHigh' }),
      message: expect.stringMatching(/only on cgroup v2/),
    });
    await expect(v1MemoryDriver.check?.(d, { memoryHigh: null }, ctx)).resolves.toBeUndefined();
  });

  it('refuses a max below the current usage, naming it', async () => {
    const { d, ctx } = await target();
    await expect(v1MemoryDriver.check?.(d, { memoryMax: 50n * MiB }, ctx)).rejects.toMatchObject({
      kind: 'invalid',
      details: expect.objectContaining({ field: 'memoryMax' }),
      message: expect.stringMatching(/below the current memory usage of 100 MiB/),
    });
  });

  it('refuses a swap limit without a memory limit', async () => {
    const { d, ctx } = await target(IDLE);
    await expect(v1MemoryDriver.check?.(d, { memorySwapMax: 0n }, ctx)).rejects.toMatchObject({ kind: 'invalid', details: expect.objectContaining({ field: 'memorySwapMax' }) });
  });

  it('without swap accounting: swap writes are unavailable, limits still work', async () => {
    for (const f of ['memory.memsw.limit_in_bytes', 'memory.memsw.usage_in_bytes', 'memory.memsw.max_usage_in_bytes', 'memory.memsw.failcnt']) {
      await rm(path.join(fx.root, MEM, 'web', f));
    }
    const { d, ctx } = await target();
    await expect(v1MemoryDriver.check?.(d, { memorySwapMax: 0n }, ctx)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/swap accounting is off/),
    });
    await v1MemoryDriver.apply?.(d, { memoryMax: 300n * MiB }, ctx);
    expect(await fx.read(`${MEM}/web/memory.limit_in_bytes`)).toBe(String(300n * MiB));
    expect((await v1MemoryDriver.readLimits?.(d))?.memory?.swapMax).toBeNull();
    expect((await v1MemoryDriver.readUsage?.(d, new Set(['memory'])))?.memory?.swapCurrent).toBeNull();
  });
});
