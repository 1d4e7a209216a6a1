import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { v2PidsDriver } from './pids';

const v2 = fixturePath('v2');
const WEB = '/system.slice/cgdash.service/cgdash/web';

describe('v2 pids driver', () => {
  it('reads pids.max and pids.current; nothing at the root', async () => {
    const d = await fixtureDir(v2, 'pids', WEB);
    expect(await v2PidsDriver.readLimits?.(d)).toEqual({ pids: { max: 64 } });
    expect(await v2PidsDriver.readUsage?.(d, new Set(['pids']))).toEqual({ pids: { current: 2 } });
    expect(await v2PidsDriver.readLimits?.(await fixtureDir(v2, 'pids', '/'))).toEqual({});
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v2');
    });
    afterEach(async () => fx.cleanup());

    it('writes a number and "max"', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'pids', WEB);
      await v2PidsDriver.apply?.(d, { pidsMax: 10 }, ctx);
      expect(await fx.read(`sys/fs/cgroup${WEB}/pids.max`)).toBe('10');
      await v2PidsDriver.apply?.(d, { pidsMax: null }, ctx);
      expect(await fx.read(`sys/fs/cgroup${WEB}/pids.max`)).toBe('max');
    });
  });
});
