/**
 * The sharded sampler on the v2 fixture tree: a key keeps its shard, a change re-sets only the
 * shards it touches, and skip masks reach each target's own row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups } from '@/server/cgroup';
import { fixturePath, fixtureRoots } from '@/server/cgroup/testing';
import { dirsSignature } from './targets';
import { createSampler, Field, fieldBit } from './sampler';
import { ShardedSampler, type ShardTarget } from './shards';

describe('ShardedSampler', () => {
  let targets: ShardTarget[];
  const sharded = new ShardedSampler(() => createSampler({ prefer: 'ts', fields: ['cpuUsageUsec', 'pidsCurrent'] }), 4);

  beforeAll(async () => {
    const mgr = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(fixturePath('v2')) });
    const nodes = await mgr.list();
    targets = nodes.map((n, i) => {
      const dirs = mgr.resolve(n.path).filter((p) => n.hierarchyIds.includes(p.hierarchyId));
      return { key: 10 + i, dirs, signature: dirsSignature(dirs) };
    });
  });

  afterAll(() => sharded.close());

  it('sweeps every target once, and re-sets only the shards a change touches', async () => {
    expect(targets.length).toBeGreaterThanOrEqual(5);
    expect(await sharded.setTargets(targets)).toBe(4);
    const keys = (await sharded.sample()).flatMap((b) => [...b.keys]).sort((a, b) => a - b);
    expect(keys).toEqual(targets.map((t) => t.key));
    const dropped = targets[0]!.key;
    expect(await sharded.setTargets(targets.slice(1))).toBe(1);
    expect((await sharded.sample()).flatMap((b) => [...b.keys])).not.toContain(dropped);
    expect(await sharded.setTargets(targets)).toBe(1);
  });

  it('gives each target its own skip mask, whatever its shard', async () => {
    const cpu = fieldBit(Field.cpuUsageUsec);
    const skipOf = (key: number) => (key % 3 === 0 ? cpu : 0);
    const parts = sharded.parts(skipOf);
    expect(parts.samplers).toHaveLength(4);
    const pids = fieldBit(Field.pidsCurrent);
    const pidsOf = new Map<number, number>();
    for (const b of await sharded.sample()) b.keys.forEach((key, r) => pidsOf.set(key, b.present[r]! & pids));
    let skipped = 0;
    for (const b of await sharded.sample(skipOf)) {
      for (let r = 0; r < b.keys.length; r++) {
        const key = b.keys[r]!;
        expect({ key, cpu: (b.present[r]! & cpu) !== 0 }).toEqual({ key, cpu: key % 3 !== 0 });
        expect(b.present[r]! & pids).toBe(pidsOf.get(key));
        if (key % 3 === 0) skipped++;
      }
    }
    expect(skipped).toBeGreaterThan(0);
  });
});
