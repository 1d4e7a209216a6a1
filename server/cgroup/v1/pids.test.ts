import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { v1PidsDriver } from './pids';

const v1 = fixturePath('v1');
const WEB = '/system.slice/cgdash.service/cgdash/web';

describe('v1 pids driver', () => {
  it('reads pids.max and pids.current', async () => {
    const d = await fixtureDir(v1, 'pids', WEB);
    expect(await v1PidsDriver.readLimits?.(d)).toEqual({ pids: { max: 64 } });
    expect(await v1PidsDriver.readUsage?.(d, new Set(['pids']))).toEqual({ pids: { current: 2 } });
    expect(await v1PidsDriver.readLimits?.(await fixtureDir(v1, 'pids', '/system.slice/cgdash.service/cgdash/idle'))).toEqual({ pids: { max: null } });
  });

  it('has nothing at the root (the root cgroup has no pids files)', async () => {
    expect(await v1PidsDriver.readLimits?.(await fixtureDir(v1, 'pids', '/'))).toEqual({});
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v1');
    });
    afterEach(async () => fx.cleanup());

    it('writes a number, and "max" for no limit', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'pids', WEB);
      await v1PidsDriver.apply?.(d, { pidsMax: 100 }, ctx);
      expect(await fx.read(`sys/fs/cgroup/pids${WEB}/pids.max`)).toBe('100');
      await v1PidsDriver.apply?.(d, { pidsMax: null }, ctx);
      expect(await fx.read(`sys/fs/cgroup/pids${WEB}/pids.max`)).toBe('max');
    });
  });
});
