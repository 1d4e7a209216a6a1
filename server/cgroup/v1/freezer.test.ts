import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, type FixtureCopy } from '../testing';
import { parseFreezerState, v1Freezer } from './freezer';

const v1 = fixturePath('v1');

describe('v1 freezer', () => {
  it('reads freezer.state', async () => {
    expect(await v1Freezer.isFrozen(await fixtureDir(v1, 'freezer', '/cgdash/web'))).toBe(false);
    expect(await v1Freezer.isFrozen(await fixtureDir(v1, 'freezer', '/cgdash/idle'))).toBe(true);
    expect(await v1Freezer.isFrozen(await fixtureDir(v1, 'freezer', '/'))).toBeNull();
  });

  it('knows the three states and nothing else', () => {
    expect(parseFreezerState('FREEZING\n')).toBe('FREEZING');
    expect(() => parseFreezerState('COLD')).toThrow(/unexpected/);
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v1');
    });
    afterEach(async () => fx.cleanup());

    it('writes FROZEN and THAWED', async () => {
      const d = await fixtureDir(fx.root, 'freezer', '/cgdash/web');
      await v1Freezer.setFrozen(d, true);
      expect(await fx.read('sys/fs/cgroup/freezer/cgdash/web/freezer.state')).toBe('FROZEN');
      await v1Freezer.setFrozen(d, false);
      expect(await fx.read('sys/fs/cgroup/freezer/cgdash/web/freezer.state')).toBe('THAWED');
    });

    it('refuses the root', async () => {
      await expect(v1Freezer.setFrozen(await fixtureDir(fx.root, 'freezer', '/'), true)).rejects.toMatchObject({ kind: 'invalid' });
    });
  });
});
