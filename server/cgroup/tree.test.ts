import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCgroups } from './index';
import { copyFixture, fixtureRoots, type FixtureCopy } from './testing';
import { planTree, type TreeNode } from './tree';

const node = (p: string, over: Partial<TreeNode> = {}): TreeNode => ({
  path: p,
  exists: true,
  isRoot: p === '/',
  controllers: ['cpu', 'io', 'memory', 'pids'],
  subtreeControl: [],
  procs: [],
  enable: true,
  ...over,
});
const wanted = ['cpu', 'cpuset', 'io', 'memory', 'pids'];

describe('planTree: the v2 decision logic', () => {
  it('enables in the root even with processes (the root is exempt)', () => {
    expect(planTree([node('/', { procs: [1, 2] }), node('/cgdash', { exists: false, enable: false })], { wanted })).toEqual([
      { kind: 'enable', path: '/', controllers: ['cpu', 'io', 'memory', 'pids'] },
      { kind: 'mkdir', path: '/cgdash' },
    ]);
  });

  it('hands down only what each level offers (cpuset dropped where the parent lacks it)', () => {
    const steps = planTree(
      [node('/a', { controllers: ['cpu', 'memory'] }), node('/a/b', { exists: false }), node('/a/b/c', { exists: false, enable: false })],
      { wanted },
    );
    expect(steps).toEqual([
      { kind: 'enable', path: '/a', controllers: ['cpu', 'memory'] },
      { kind: 'mkdir', path: '/a/b' },
      { kind: 'enable', path: '/a/b', controllers: ['cpu', 'memory'] },
      { kind: 'mkdir', path: '/a/b/c' },
    ]);
  });

  it('writes nothing above the boundary: what systemd does not hand down is unavailable', () => {
    const steps = planTree(
      [
        node('/', { subtreeControl: ['cpu', 'io', 'memory', 'pids'], controllers: wanted }),
        node('/system.slice', { subtreeControl: ['cpu', 'pids'] }), // memory and io not handed down
        node('/system.slice/svc', { controllers: ['cpu', 'pids'] }),
        node('/system.slice/svc/cgdash', { exists: false }),
      ],
      { wanted, boundary: '/system.slice/svc' },
    );
    expect(steps).toEqual([
      { kind: 'enable', path: '/system.slice/svc', controllers: ['cpu', 'pids'] },
      { kind: 'mkdir', path: '/system.slice/svc/cgdash' },
      { kind: 'enable', path: '/system.slice/svc/cgdash', controllers: ['cpu', 'pids'] },
    ]);
  });

  it('does nothing where everything is in place', () => {
    expect(planTree([node('/a', { subtreeControl: ['cpu', 'io', 'memory', 'pids'] }), node('/a/b', { enable: false })], { wanted })).toEqual([]);
  });

  it('does nothing on v1 (nothing to hand down) but make directories', () => {
    expect(planTree([node('/a', { procs: [9] }), node('/a/b', { exists: false, enable: false })], { wanted: [] })).toEqual([{ kind: 'mkdir', path: '/a/b' }]);
  });

  it('moves the server into a leaf when it alone holds the cgroup that must hand down', () => {
    const server = { pid: 4242, cgroup: '/svc', leafPath: '/svc/cgdash-server' };
    expect(planTree([node('/svc', { procs: [4242] }), node('/svc/cgdash', { exists: false })], { wanted, server })).toEqual([
      { kind: 'mkdir', path: '/svc/cgdash-server' },
      { kind: 'move-server', pid: 4242, from: '/svc', to: '/svc/cgdash-server' },
      { kind: 'enable', path: '/svc', controllers: ['cpu', 'io', 'memory', 'pids'] },
      { kind: 'mkdir', path: '/svc/cgdash' },
      { kind: 'enable', path: '/svc/cgdash', controllers: ['cpu', 'io', 'memory', 'pids'] },
    ]);
  });

  it('refuses to move foreign processes, naming them and the way out', () => {
    const server = { pid: 4242, cgroup: '/svc', leafPath: '/svc/cgdash-server' };
    expect(() => planTree([node('/svc', { procs: [4242, 777] }), node('/svc/cgdash', { exists: false })], { wanted, server })).toThrow(
      expect.objectContaining({ kind: 'busy', message: expect.stringMatching(/besides cgdash itself \(pids 777\).*Delegate=yes/) }),
    );
  });

  it('refuses a cgroup with processes when the server may not move (creating below a leaf)', () => {
    expect(() => planTree([node('/m/web', { procs: [5] }), node('/m/web/child', { exists: false, enable: false })], { wanted })).toThrow(
      expect.objectContaining({ kind: 'busy', message: expect.stringMatching(/no internal processes/) }),
    );
  });
});

describe('ensureManagedRoot on the v2 fixture', () => {
  let fx: FixtureCopy;
  beforeEach(async () => {
    fx = await copyFixture('v2');
  });
  afterEach(async () => fx.cleanup());

  const svc = 'sys/fs/cgroup/system.slice/cgdash.service';

  it('has nothing to do where an earlier run delegated already', async () => {
    const m = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fx.root) });
    expect(await m.planManagedRoot()).toEqual([]);
    expect(await m.ensureManagedRoot()).toEqual([]);
  });

  /** The state of a first start: the server alone in its service cgroup, nothing enabled. */
  async function firstStart(extraPids: number[] = []): Promise<void> {
    await fx.write('proc/4242/cgroup', '0::/system.slice/cgdash.service\n');
    await fx.write(`${svc}/cgroup.procs`, [4242, ...extraPids].map((p) => `${p}\n`).join(''));
    await fx.write(`${svc}/cgroup.subtree_control`, '\n');
    await rm(path.join(fx.root, svc, 'cgdash'), { recursive: true });
    await rm(path.join(fx.root, svc, 'cgdash-server'), { recursive: true });
  }

  it('plans: move the server into cgdash-server, enable in the service cgroup, make the root', async () => {
    await firstStart();
    const m = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fx.root) });
    expect(m.hierarchies[0]?.managedRoot).toBe('/system.slice/cgdash.service/cgdash');
    const base = '/system.slice/cgdash.service';
    expect((await m.planManagedRoot()).map((s) => s.step)).toEqual([
      { kind: 'mkdir', path: `${base}/cgdash-server` },
      { kind: 'move-server', pid: 4242, from: base, to: `${base}/cgdash-server` },
      // cpuset: the root offers it but system.slice does not hand it down
      { kind: 'enable', path: base, controllers: ['cpu', 'memory', 'io', 'pids'] },
      { kind: 'mkdir', path: `${base}/cgdash` },
      { kind: 'enable', path: `${base}/cgdash`, controllers: ['cpu', 'memory', 'io', 'pids'] },
    ]);
  });

  it('refuses, touching nothing, when a foreign process shares the service cgroup', async () => {
    await firstStart([777]);
    const m = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fx.root) });
    await expect(m.ensureManagedRoot()).rejects.toMatchObject({ kind: 'busy', message: expect.stringMatching(/pids 777/) });
    expect(await fx.read(`${svc}/cgroup.procs`)).toBe('4242\n777\n');
    await expect(fx.read(`${svc}/cgdash-server/cgroup.procs`)).rejects.toThrow();
  });

  it('uses an absolute managed root without moving the server', async () => {
    await firstStart([777]);
    const m = await openCgroups({ managedRoot: '/cgdash', ...fixtureRoots(fx.root) });
    expect((await m.planManagedRoot()).map((s) => s.step)).toEqual([
      { kind: 'mkdir', path: '/cgdash' },
      { kind: 'enable', path: '/cgdash', controllers: ['cpu', 'cpuset', 'memory', 'io', 'pids'] },
    ]);
  });
});
