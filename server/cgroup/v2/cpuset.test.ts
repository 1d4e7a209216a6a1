import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { listOrNull, v2CpusetDriver } from './cpuset';

const v2 = fixturePath('v2');

describe('v2 cpuset driver', () => {
  it('reads an empty cpuset.cpus as null (inherit) and the effective lists', async () => {
    expect(await v2CpusetDriver.readLimits?.(await fixtureDir(v2, 'cpuset', '/system.slice'))).toEqual({
      cpuset: { cpus: null, mems: null, effectiveCpus: '0-7', effectiveMems: '0-1' },
    });
    expect(listOrNull('\n')).toBeNull();
  });

  it('has nothing where cpuset is not enabled (the managed tree of the fixture)', async () => {
    expect(await v2CpusetDriver.readLimits?.(await fixtureDir(v2, 'cpuset', '/system.slice/cgdash.service/cgdash/web'))).toEqual({});
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v2');
    });
    afterEach(async () => fx.cleanup());

    it('checks against the parent cpuset.cpus.effective', async () => {
      await fx.write('sys/fs/cgroup/cpuset.cpus.effective', '0-3\n');
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/system.slice');
      await expect(v2CpusetDriver.check?.(d, { cpusetCpus: '2-4' }, ctx)).rejects.toMatchObject({
        kind: 'invalid',
        details: expect.objectContaining({ field: 'cpusetCpus' }),
        message: expect.stringMatching(/4 is outside/),
      });
      await expect(v2CpusetDriver.check?.(d, { cpusetCpus: '2-3', cpusetMems: null }, ctx)).resolves.toBeUndefined();
    });

    it('writes lists, and "" (inherit) for null', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/system.slice');
      await v2CpusetDriver.apply?.(d, { cpusetCpus: '0-1,4', cpusetMems: '0' }, ctx);
      expect(await fx.read('sys/fs/cgroup/system.slice/cpuset.cpus')).toBe('0-1,4');
      expect(await fx.read('sys/fs/cgroup/system.slice/cpuset.mems')).toBe('0');
      await v2CpusetDriver.apply?.(d, { cpusetCpus: null }, ctx);
      expect(await fx.read('sys/fs/cgroup/system.slice/cpuset.cpus')).toBe('');
    });
  });
});
