import { rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { cfqToIoWeight, ioWeightToBfq, ioWeightToCfq, v1BlkioDriver } from './blkio';

const v1 = fixturePath('v1');
const BLK = 'sys/fs/cgroup/blkio/system.slice/cgdash';
const WEB = '/system.slice/cgdash/web';

describe('weights', () => {
  it('maps io.weight to CFQ blkio.weight like systemd: defaults meet, clamped to 10..1000', () => {
    expect(ioWeightToCfq(100)).toBe(500);
    expect(ioWeightToCfq(1)).toBe(10);
    expect(ioWeightToCfq(10000)).toBe(1000);
    expect(cfqToIoWeight(500)).toBe(100);
    expect(cfqToIoWeight(10)).toBe(2);
    for (let w = 2; w <= 200; w++) expect(cfqToIoWeight(ioWeightToCfq(w))).toBe(w);
  });
  it('uses BFQ weights as they are, capped at 1000', () => {
    expect(ioWeightToBfq(100)).toBe(100);
    expect(ioWeightToBfq(5000)).toBe(1000);
  });
});

describe('v1 blkio driver', () => {
  it('merges the four throttle files into io.max entries', async () => {
    expect(await v1BlkioDriver.readLimits?.(await fixtureDir(v1, 'blkio', WEB))).toEqual({
      io: {
        max: [
          { device: '8:0', rbps: 1048576n, wbps: null, riops: null, wiops: 100n },
          { device: '8:16', rbps: null, wbps: null, riops: null, wiops: 200n },
        ],
        weight: 50,
      },
    });
    expect(await v1BlkioDriver.readLimits?.(await fixtureDir(v1, 'blkio', '/system.slice/cgdash/idle'))).toEqual({ io: { max: [], weight: 100 } });
  });

  it('reads per-device bytes and operations from the _recursive stat files', async () => {
    expect((await v1BlkioDriver.readUsage?.(await fixtureDir(v1, 'blkio', WEB), new Set(['io'])))?.io).toEqual([
      { device: '8:0', rbytes: 10485760n, wbytes: 2097152n, rios: 2560n, wios: 512n },
      { device: '8:16', rbytes: 0n, wbytes: 4096n, rios: 0n, wios: 1n },
    ]);
    expect((await v1BlkioDriver.readUsage?.(await fixtureDir(v1, 'blkio', '/system.slice/cgdash/idle'), new Set(['io'])))?.io).toEqual([]);
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v1');
    });
    afterEach(async () => fx.cleanup());

    it('writes one "MAJ:MIN value" line per file, 0 to clear a field', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'blkio', WEB);
      await v1BlkioDriver.apply?.(d, { ioMax: [{ device: '8:16', rbps: 2097152n, wbps: null, riops: 300n, wiops: null }] }, ctx);
      expect(await fx.read(`${BLK}/web/blkio.throttle.read_bps_device`)).toBe('8:16 2097152');
      expect(await fx.read(`${BLK}/web/blkio.throttle.write_bps_device`)).toBe('8:16 0');
      expect(await fx.read(`${BLK}/web/blkio.throttle.read_iops_device`)).toBe('8:16 300');
      expect(await fx.read(`${BLK}/web/blkio.throttle.write_iops_device`)).toBe('8:16 0');
    });

    it('restores each device line on rollback', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'blkio', WEB);
      await v1BlkioDriver.apply?.(d, { ioMax: [{ device: '8:16', rbps: 1n, wbps: 1n, riops: 1n, wiops: 1n }] }, ctx);
      await ctx.journal.rollback();
      expect(await fx.read(`${BLK}/web/blkio.throttle.write_iops_device`)).toBe('8:16 200');
      expect(await fx.read(`${BLK}/web/blkio.throttle.read_bps_device`)).toBe('8:16 0');
    });

    it('writes the CFQ weight, and the BFQ one where CFQ is gone', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'blkio', WEB);
      await v1BlkioDriver.apply?.(d, { ioWeight: 100 }, ctx);
      expect(await fx.read(`${BLK}/web/blkio.weight`)).toBe('500');
      await rm(`${fx.root}/${BLK}/web/blkio.weight`);
      await writeFile(`${fx.root}/${BLK}/web/blkio.bfq.weight`, '100\n');
      await v1BlkioDriver.apply?.(d, { ioWeight: 300 }, ctx);
      expect(await fx.read(`${BLK}/web/blkio.bfq.weight`)).toBe('300');
      expect((await v1BlkioDriver.readLimits?.(d))?.io?.weight).toBe(300);
    });

    it('refuses a device that does not exist, and a weight where no scheduler has one', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'blkio', WEB);
      await expect(v1BlkioDriver.check?.(d, { ioMax: [{ device: '8:32', rbps: 1n, wbps: null, riops: null, wiops: null }] }, ctx)).rejects.toMatchObject({
        kind: 'invalid',
        message: expect.stringMatching(/block device 8:32 does not exist/),
      });
      await rm(`${fx.root}/${BLK}/web/blkio.weight`);
      await expect(v1BlkioDriver.check?.(d, { ioWeight: 100 }, ctx)).rejects.toMatchObject({ kind: 'unavailable', details: expect.objectContaining({ field: 'ioWeight' }) });
    });
  });
});
