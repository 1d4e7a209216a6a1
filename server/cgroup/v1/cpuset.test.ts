import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, fixtureWriteTarget, type FixtureCopy } from '../testing';
import { v1CpusetDriver } from './cpuset';

const v1 = fixturePath('v1');
const SET = 'sys/fs/cgroup/cpuset/cgdash';

describe('v1 cpuset driver', () => {
  it('reads cpus, mems and the effective_* files', async () => {
    expect(await v1CpusetDriver.readLimits?.(await fixtureDir(v1, 'cpuset', '/cgdash/web'))).toEqual({
      cpuset: { cpus: '2-3', mems: '0', effectiveCpus: '2-3', effectiveMems: '0' },
    });
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v1');
    });
    afterEach(async () => fx.cleanup());

    it('refuses cpus or mems outside the parent effective set, before writing', async () => {
      await fx.write(`${SET}/cpuset.effective_cpus`, '0-3\n');
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/cgdash/web');
      await expect(v1CpusetDriver.check?.(d, { cpusetCpus: '2-5' }, ctx)).rejects.toMatchObject({
        kind: 'invalid',
        details: expect.objectContaining({ field: 'cpusetCpus' }),
        message: expect.stringMatching(/2-5 is not within the parent's CPUs 0-3 \(\/cgdash\); 4,5 are outside/),
      });
      await expect(v1CpusetDriver.check?.(d, { cpusetMems: '2' }, ctx)).rejects.toMatchObject({ details: expect.objectContaining({ field: 'cpusetMems' }) });
      await expect(v1CpusetDriver.check?.(d, { cpusetCpus: '0-3', cpusetMems: '1' }, ctx)).resolves.toBeUndefined();
    });

    it('writes lists, and the parent list for null (v1 has no inheritance)', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/cgdash/web');
      await v1CpusetDriver.apply?.(d, { cpusetCpus: '1,3', cpusetMems: null }, ctx);
      expect(await fx.read(`${SET}/web/cpuset.cpus`)).toBe('1,3');
      expect(await fx.read(`${SET}/web/cpuset.mems`)).toBe('0-1');
    });

    it('gives a new cgroup its parent lists so a task may join it', async () => {
      await fx.write(`${SET}/idle/cpuset.cpus`, '\n');
      await fx.write(`${SET}/idle/cpuset.mems`, '\n');
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/cgdash/idle');
      await v1CpusetDriver.initNew?.(d, ctx);
      expect(await fx.read(`${SET}/idle/cpuset.cpus`)).toBe('0-7');
      expect(await fx.read(`${SET}/idle/cpuset.mems`)).toBe('0-1');
    });

    it('leaves lists that are already set alone', async () => {
      const { d, ctx } = await fixtureWriteTarget(fx.root, 'cpuset', '/cgdash/web');
      await v1CpusetDriver.initNew?.(d, ctx);
      expect(await fx.read(`${SET}/web/cpuset.cpus`)).toBe('2-3\n');
    });
  });
});
