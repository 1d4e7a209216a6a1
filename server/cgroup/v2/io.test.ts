import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { formatIoMaxLine, parseIoMax, parseIoStat, v2IoDriver } from './io';

const v2 = fixturePath('v2');
const MR = '/system.slice/cgdash.service/cgdash';
const DIR = `sys/fs/cgroup${MR}`;

describe('io.max and io.stat', () => {
  it('round-trips io.max lines', () => {
    const line = '8:16 rbps=max wbps=max riops=max wiops=200';
    expect(formatIoMaxLine(parseIoMax(`${line}\n`)[0] ?? { device: '', rbps: null, wbps: null, riops: null, wiops: null })).toBe(line);
  });
  it('reads io.stat with several devices, ignoring discard counters', () => {
    expect(parseIoStat('8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n259:0 rbytes=7 wbytes=8 rios=9 wios=10 dbytes=0 dios=0\n')).toEqual([
      { device: '8:0', rbytes: 1n, wbytes: 2n, rios: 3n, wios: 4n },
      { device: '259:0', rbytes: 7n, wbytes: 8n, rios: 9n, wios: 10n },
    ]);
  });
});

describe('v2 io driver', () => {
  it('reads io.max and io.weight', async () => {
    expect(await v2IoDriver.readLimits?.(await fixtureDir(v2, 'io', `${MR}/web`))).toEqual({
      io: {
        max: [
          { device: '8:0', rbps: 1048576n, wbps: null, riops: null, wiops: null },
          { device: '8:16', rbps: null, wbps: null, riops: null, wiops: 200n },
        ],
        weight: 100,
      },
    });
    // legacy.service has io.max but no io.weight (no cost model, no BFQ)
    expect(await v2IoDriver.readLimits?.(await fixtureDir(v2, 'io', '/system.slice/legacy.service'))).toEqual({ io: { max: [], weight: null } });
  });

  it('reads io.stat of three devices, and an empty io.stat as no devices', async () => {
    const io = (await v2IoDriver.readUsage?.(await fixtureDir(v2, 'io', `${MR}/web`), new Set(['io'])))?.io;
    expect(io?.map((x) => x.device)).toEqual(['8:0', '8:16', '259:0']);
    expect((await v2IoDriver.readUsage?.(await fixtureDir(v2, 'io', `${MR}/idle`), new Set(['io'])))?.io).toEqual([]);
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v2');
    });
    afterEach(async () => fx.cleanup());

    it('writes one io.max line per device and restores the old line on rollback', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'io', `${MR}/web`);
      await v2IoDriver.apply?.(d, { ioMax: [{ device: '8:0', rbps: null, wbps: 2097152n, riops: null, wiops: 50n }] }, ctx);
      expect(await fx.read(`${DIR}/web/io.max`)).toBe('8:0 rbps=max wbps=2097152 riops=max wiops=50');
      await ctx.journal.rollback();
      expect(await fx.read(`${DIR}/web/io.max`)).toBe('8:0 rbps=1048576 wbps=max riops=max wiops=max');
    });

    it('writes io.weight as "default N", BFQ weights capped where only BFQ has them', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'io', `${MR}/web`);
      await v2IoDriver.apply?.(d, { ioWeight: 250 }, ctx);
      expect(await fx.read(`${DIR}/web/io.weight`)).toBe('default 250');
      const legacy = await fixtureWriteTarget(fx.root, 'io', '/system.slice/legacy.service');
      await expect(v2IoDriver.check?.(legacy.d, { ioWeight: 250 }, legacy.ctx)).rejects.toMatchObject({ kind: 'unavailable' });
      await fx.write('sys/fs/cgroup/system.slice/legacy.service/io.bfq.weight', 'default 100\n');
      await v2IoDriver.apply?.(legacy.d, { ioWeight: 5000 }, legacy.ctx);
      expect(await fx.read('sys/fs/cgroup/system.slice/legacy.service/io.bfq.weight')).toBe('1000');
    });

    it('refuses a device that does not exist', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'io', `${MR}/web`);
      await expect(v2IoDriver.check?.(d, { ioMax: [{ device: '8:48', rbps: 1n, wbps: null, riops: null, wiops: null }] }, ctx)).rejects.toMatchObject({
        kind: 'invalid',
        details: expect.objectContaining({ field: 'ioMax', value: '8:48' }),
      });
      await expect(v2IoDriver.check?.(d, { ioMax: [{ device: '259:0', rbps: 1n, wbps: null, riops: null, wiops: null }] }, ctx)).resolves.toBeUndefined();
    });
  });
});
