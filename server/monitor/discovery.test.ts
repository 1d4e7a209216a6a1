import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { dirOf } from '@/server/cgroup/mounts';
import { copyFixture, fixtureRoots, type FixtureCopy } from '@/server/cgroup/testing';
import { waitFor } from '@/server/procfs/testing';
import { CgroupDiscovery } from './discovery';

/** The walk interval is `factor` times the walk's own time (status rounds both to whole ms). */
function expectIntervalFactor(status: { reconcileEveryMs: number; lastListMs: number }, factor: number): void {
  expect(status.reconcileEveryMs).toBeGreaterThanOrEqual(Math.max(1, (status.lastListMs - 0.5) * factor) - 1);
  expect(status.reconcileEveryMs).toBeLessThanOrEqual(Math.max(1, (status.lastListMs + 0.5) * factor) + 1);
}

describe.each(['v1', 'v2'] as const)('cgroup discovery on a copy of the %s fixture', (version) => {
  let fx: FixtureCopy;
  let m: CgroupManager;
  let discovery: CgroupDiscovery | null = null;
  beforeEach(async () => {
    fx = await copyFixture(version);
    m = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fx.root) });
  });
  afterEach(async () => {
    discovery?.stop();
    discovery = null;
    await fx.cleanup();
  });

  const all = (d: CgroupDiscovery) => new Map([...d.paths].map(([hid, set]) => [hid, [...set].sort()]));

  it('starts from the whole tree, the same paths listPaths gives', async () => {
    discovery = new CgroupDiscovery({ cgroups: m, watch: false });
    await discovery.start();
    const want = new Map(m.hierarchies.map((h) => [h.id, [] as string[]]));
    for (const n of await m.listPaths()) for (const hid of n.hierarchyIds) want.get(hid)?.push(n.path);
    for (const list of want.values()) list.sort();
    expect(all(discovery)).toEqual(want);
    expect(discovery.status()).toMatchObject({ watching: false, watches: 0, reconciles: 1 });
  });

  it('sees a new and a removed directory through inotify, and keeps the safety-net walk rare', async () => {
    let changes = 0;
    discovery = new CgroupDiscovery({ cgroups: m, onChange: () => changes++, reconcileMinMs: 1, watchCostFactor: 1000, costFactor: 100 });
    await discovery.start();
    const status = discovery.status();
    expect(status.watching).toBe(true);
    expect(status.watches).toBeGreaterThan(0);
    // Watching: the walk is a safety net, 1000× its own time apart (at least reconcileMinMs).
    expectIntervalFactor(status, 1000);

    const h = m.hierarchies[0]!;
    const parent = h.mountRoot;
    const fresh = path.posix.join(parent, 'fresh', 'inner');
    await mkdir(dirOf(h, fresh), { recursive: true });
    await waitFor(async () => discovery!.paths.get(h.id)?.has(fresh) || null, `${fresh} to be seen`);
    expect(discovery.paths.get(h.id)?.has(path.posix.dirname(fresh))).toBe(true);
    expect(changes).toBeGreaterThan(0);

    await rmdir(dirOf(h, fresh));
    await rmdir(dirOf(h, path.posix.dirname(fresh)));
    await waitFor(async () => !discovery!.paths.get(h.id)?.has(path.posix.dirname(fresh)) || null, 'the removal to be seen');
    expect(discovery.paths.get(h.id)?.has(fresh)).toBe(false);
    expect(discovery.takeChanges().map((c) => [c.path, c.added])).toEqual(
      expect.arrayContaining([
        [fresh, true],
        [fresh, false],
      ]),
    );
  });

  it('without watches, re-walks at 100× the walk time and finds what changed', async () => {
    discovery = new CgroupDiscovery({ cgroups: m, watch: false, pollMinMs: 1, costFactor: 100 });
    await discovery.start();
    const status = discovery.status();
    expectIntervalFactor(status, 100);
    const h = m.hierarchies[0]!;
    const parent = h.mountRoot;
    const fresh = path.posix.join(parent, 'polled');
    await mkdir(dirOf(h, fresh));
    await discovery.reconcile();
    expect(discovery.paths.get(h.id)?.has(fresh)).toBe(true);
  });
});
