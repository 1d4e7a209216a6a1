import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, fixtureDir, fixturePath, type FixtureCopy } from '../testing';
import { parseCgroupEvents, readControllers, readSubtreeControl, v2Core, v2Freezer, writeSubtreeControl } from './core';

const v2 = fixturePath('v2');
const MR = '/system.slice/cgdash.service/cgdash';

describe('v2 core files', () => {
  it('parses cgroup.events with and without frozen', () => {
    expect(parseCgroupEvents('populated 1\nfrozen 0\n')).toEqual({ populated: true, frozen: false });
    expect(parseCgroupEvents('populated 0\n')).toEqual({ populated: false, frozen: null });
  });

  it('reads populated and frozen', async () => {
    expect(await v2Core.populated(await fixtureDir(v2, 'cpu', `${MR}/web`))).toBe(true);
    expect(await v2Core.populated(await fixtureDir(v2, 'cpu', `${MR}/idle`))).toBe(false);
    expect(await v2Core.populated(await fixtureDir(v2, 'cpu', '/'))).toBeNull(); // the root has no cgroup.events
    expect(await v2Freezer.isFrozen(await fixtureDir(v2, 'cpu', `${MR}/web`))).toBe(false);
  });

  it('reads controllers and subtree_control', async () => {
    const root = await fixtureDir(v2, 'cpu', '/');
    expect(await readControllers(root)).toEqual(['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']);
    expect(await readSubtreeControl(await fixtureDir(v2, 'cpu', `${MR}/web`))).toEqual([]);
  });

  describe('writes', () => {
    let fx: FixtureCopy;
    beforeEach(async () => {
      fx = await copyFixture('v2');
    });
    afterEach(async () => fx.cleanup());

    it('enables and disables controllers in one write', async () => {
      await writeSubtreeControl(await fixtureDir(fx.root, 'cpu', `${MR}/web`), ['cpu', 'memory'], ['io']);
      expect(await fx.read(`sys/fs/cgroup${MR}/web/cgroup.subtree_control`)).toBe('+cpu +memory -io');
    });

    it('kills through cgroup.kill where it exists, and says so where it does not', async () => {
      expect(await v2Core.kill(await fixtureDir(fx.root, 'cpu', `${MR}/idle`))).toBe(true);
      expect(await fx.read(`sys/fs/cgroup${MR}/idle/cgroup.kill`)).toBe('1');
      expect(await v2Core.kill(await fixtureDir(fx.root, 'cpu', '/system.slice/legacy.service'))).toBe(false);
    });

    it('thaws through cgroup.freeze and waits for cgroup.events', async () => {
      await v2Freezer.setFrozen(await fixtureDir(fx.root, 'cpu', `${MR}/web`), false);
      expect(await fx.read(`sys/fs/cgroup${MR}/web/cgroup.freeze`)).toBe('0');
    });
  });
});
