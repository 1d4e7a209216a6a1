/**
 * CPU gates on fixture copies (v1 and v2), with both samplers: which cgroup gates which, and
 * when a child's CPU read may be left out. The fixture files stand in for cgroupfs; the test
 * moves the counters the way the kernel does (a parent's includes its children's).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { copyFixture, fixtureRoots, type FixtureCopy, type FixtureVersion } from '@/server/cgroup/testing';
import { CpuGates, cpuDirOf, cpuParents, type GateTarget } from './cpuGates';
import { createSampler, type SampleBatch } from './sampler';
import { requireNativeAddon } from './sampler/testing';
import { cpuUsageUsecIn } from './testing';

const monoMs = (b: SampleBatch) => Number(b.startedNs) / 1e6;

function newGates(prefer: 'ts' | 'native', fullReadEvery: number): CpuGates {
  const cpuSampler = () => createSampler({ prefer, fields: ['cpuUsageUsec'] });
  return new CpuGates({ gates: cpuSampler(), before: cpuSampler(), after: cpuSampler() }, fullReadEvery);
}

describe('cpuParents', () => {
  it('links a cgroup only to the one whose CPU counter directory holds its own', () => {
    const targets: GateTarget[] = [
      { key: 1, dirs: [{ dir: '/cg/cpu,cpuacct/a', version: 1, controllers: ['cpu', 'cpuacct'] }, { dir: '/cg/unified/a', version: 2, controllers: [] }] },
      { key: 2, dirs: [{ dir: '/cg/cpu,cpuacct/a/b', version: 1, controllers: ['cpu', 'cpuacct'] }, { dir: '/cg/unified/a/b', version: 2, controllers: [] }] },
      // Read from v2 (no cpuacct directory): its parent's counter is a v1 one, not comparable.
      { key: 3, dirs: [{ dir: '/cg/unified/a/c', version: 2, controllers: [] }] },
      { key: 4, dirs: [{ dir: '/cg/memory/a/d', version: 1, controllers: ['memory'] }] },
    ];
    expect(cpuDirOf(targets[0]!.dirs)).toBe('/cg/cpu,cpuacct/a');
    expect(cpuDirOf(targets[2]!.dirs)).toBe('/cg/unified/a/c');
    expect(cpuDirOf(targets[3]!.dirs)).toBeNull();
    expect([...cpuParents(targets)]).toEqual([[2, 1]]);
  });
});

describe.each<FixtureVersion>(['v1', 'v2'])('CpuGates on the %s fixture tree', (version) => {
  let copy: FixtureCopy;
  let mgr: CgroupManager;
  let targets: GateTarget[];
  const keyOf = new Map<string, number>();

  /** Adds `usec` to the CPU counter of the cgroup at `cgroupPath` (cpuacct.usage is in ns). */
  async function addCpu(cgroupPath: string, usec: number): Promise<void> {
    const t = targets[(keyOf.get(cgroupPath) ?? 0) - 1]!;
    const dir = cpuDirOf(t.dirs)!;
    if (version === 'v2') {
      const file = path.join(dir, 'cpu.stat');
      const text = await readFile(file, 'utf8');
      const was = Number(/^usage_usec (\d+)$/m.exec(text)?.[1]);
      await writeFile(file, text.replace(/^usage_usec \d+$/m, `usage_usec ${was + usec}`));
    } else {
      const file = path.join(dir, 'cpuacct.usage');
      await writeFile(file, `${Number((await readFile(file, 'utf8')).trim()) + usec * 1000}\n`);
    }
  }

  /** The CPU counter of the cgroup at `cgroupPath` now, in µs (what the samplers report). */
  const cpuNow = (cgroupPath: string) => cpuUsageUsecIn(cpuDirOf(targets[(keyOf.get(cgroupPath) ?? 0) - 1]!.dirs)!);

  const parentPath = version === 'v1' ? '/system.slice/cgdash' : '/system.slice/cgdash.service/cgdash';
  const webPath = `${parentPath}/web`;
  const idlePath = `${parentPath}/idle`;

  beforeAll(async () => {
    copy = await copyFixture(version);
    mgr = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(copy.root) });
    const nodes = await mgr.list();
    targets = nodes.map((n, i) => {
      keyOf.set(n.path, i + 1);
      return { key: i + 1, dirs: mgr.resolve(n.path).filter((p) => n.hierarchyIds.includes(p.hierarchyId)) };
    });
  });

  afterAll(async () => {
    await copy.cleanup();
  });

  it('finds the parents of the fixture tree by their CPU directories', () => {
    const parents = cpuParents(targets);
    expect(parents.get(keyOf.get(webPath)!)).toBe(keyOf.get(parentPath));
    expect(parents.get(keyOf.get(idlePath)!)).toBe(keyOf.get(parentPath));
    for (const [child, parent] of parents) {
      expect(path.posix.dirname(cpuDirOf(targets[child - 1]!.dirs)!)).toBe(cpuDirOf(targets[parent - 1]!.dirs));
    }
  });

  for (const prefer of ['ts', 'native'] as const) {
    it(`with the ${prefer} sampler: leaves a child unread only while its parent's counter stays, since the child's value`, async () => {
      if (prefer === 'native') requireNativeAddon();
      const gates = newGates(prefer, 4);
      const web = keyOf.get(webPath)!;
      const idle = keyOf.get(idlePath)!;
      const parent = keyOf.get(parentPath)!;
      try {
        await gates.setTargets(targets);
        expect(gates.count).toBe(new Set(cpuParents(targets).values()).size);

        await gates.read(monoMs); // sweep 1: nothing to compare with yet
        expect(gates.ownRead(parent)?.cpu).toBeGreaterThan(0);
        expect(gates.ownRead(web)).toBeNull(); // not a gate
        expect(gates.parentAccounts(web, 0)).toBeNull();
        expect(gates.parentAccounts(web, 1)).toBeNull();

        await gates.read(monoMs); // sweep 2: the parent did not move
        const same = gates.parentAccounts(web, 1);
        expect(same).toEqual(gates.ownRead(parent));
        expect(gates.parentAccounts(idle, 1)).not.toBeNull();
        expect(gates.parentAccounts(web, 0)).toBeNull(); // the caller holds no value

        await addCpu(webPath, 500);
        await addCpu(parentPath, 500);
        const before = gates.ownRead(parent)!.cpu;
        await gates.read(monoMs); // sweep 3: web used CPU, and so did its parent
        expect(gates.ownRead(parent)!.cpu).toBe(before + 500);
        expect(gates.parentAccounts(web, 2)).toBeNull();
        expect(gates.parentAccounts(idle, 2)).toBeNull();

        await gates.read(monoMs); // sweep 4: every 4th sweep reads everything
        expect(gates.parentAccounts(idle, 3)).toBeNull();

        await gates.read(monoMs); // sweep 5: unchanged since sweep 4
        expect(gates.parentAccounts(idle, 4)).not.toBeNull();
        // A value older than the read the parent is compared with may be stale.
        expect(gates.parentAccounts(idle, 3)).toBeNull();

        // A gate whose counter cannot be read gates nothing.
        const parentDir = cpuDirOf(targets[parent - 1]!.dirs)!;
        const file = path.join(parentDir, version === 'v1' ? 'cpuacct.usage' : 'cpu.stat');
        const text = await readFile(file, 'utf8');
        await writeFile(file, 'not a counter\n');
        try {
          await gates.read(monoMs);
          expect(gates.ownRead(parent)).toBeNull();
          expect(gates.parentAccounts(idle, 5)).toBeNull();
        } finally {
          await writeFile(file, text);
        }

        // Without the children, the parent is no gate.
        await gates.setTargets(targets.filter((t) => t.key !== web && t.key !== idle));
        await gates.read(monoMs);
        expect(gates.ownRead(parent)).toBeNull();
      } finally {
        await gates.close();
      }
    });

    it(`with the ${prefer} sampler: a moved parent still gates the children its busy witnesses account for`, async () => {
      if (prefer === 'native') requireNativeAddon();
      const gates = newGates(prefer, 1000);
      const web = keyOf.get(webPath)!;
      const idle = keyOf.get(idlePath)!;
      const parent = keyOf.get(parentPath)!;
      /** The kernel's way: a child's usage is its parent's too. */
      const spend = async (child: string, usec: number) => {
        await addCpu(child, usec);
        await addCpu(parentPath, usec);
      };
      try {
        await gates.setTargets(targets);
        await gates.setWitnesses([web, keyOf.get('/')!]); // the root has no gate: no witness
        expect(gates.witnessCount).toBe(1);
        await gates.read(monoMs); // sweep 1
        expect(gates.ownRead(web)?.cpu).toBe(await cpuNow(webPath)); // read after the gates: web's value

        await spend(webPath, 500);
        await gates.read(monoMs); // sweep 2: the parent rose by what web did
        expect(gates.ownRead(parent)!.cpu).toBe(await cpuNow(parentPath));
        expect(gates.parentAccounts(idle, 1)).toEqual(gates.ownRead(parent));
        expect(gates.ownRead(web)?.cpu).toBe(await cpuNow(webPath));

        await spend(webPath, 300);
        await spend(idlePath, 200);
        await gates.read(monoMs); // sweep 3: idle used CPU too, the witness does not explain it all
        expect(gates.parentAccounts(idle, 2)).toBeNull();

        await spend(idlePath, 50);
        await gates.read(monoMs); // sweep 4: only the child that is no witness moved
        expect(gates.parentAccounts(idle, 3)).toBeNull();

        // A witness set anew has no read after the gate's previous one yet: nothing to count from.
        await gates.setWitnesses([]);
        await gates.setWitnesses([web]);
        await spend(webPath, 100);
        await gates.read(monoMs); // sweep 5
        expect(gates.parentAccounts(idle, 4)).toBeNull();
        await spend(webPath, 100);
        await gates.read(monoMs); // sweep 6: now it has
        expect(gates.parentAccounts(idle, 5)).not.toBeNull();
        // A value the caller has known only since before the gate's previous read may be stale.
        expect(gates.parentAccounts(idle, 4)).toBeNull();

        await gates.read(monoMs); // sweep 7: nothing moved
        expect(gates.parentAccounts(idle, 6)).not.toBeNull();

        await gates.setWitnesses([]);
        await spend(webPath, 100);
        await gates.read(monoMs); // sweep 8: without witnesses, a moved parent gates nothing
        expect(gates.parentAccounts(idle, 7)).toBeNull();
        expect(gates.ownRead(web)).toBeNull();
      } finally {
        await gates.close();
      }
    });

    if (version === 'v1') {
      it(`with the ${prefer} sampler: takes the ns cut to µs into account (a rise of 0 µs in web, 1 µs in its parent)`, async () => {
        if (prefer === 'native') requireNativeAddon();
        const gates = newGates(prefer, 1000);
        const web = keyOf.get(webPath)!;
        const idle = keyOf.get(idlePath)!;
        const usage = (p: string) => path.join(cpuDirOf(targets[keyOf.get(p)! - 1]!.dirs)!, 'cpuacct.usage');
        try {
          await writeFile(usage(webPath), '7000000000\n');
          await writeFile(usage(parentPath), '9000000500\n');
          await gates.setTargets(targets);
          await gates.setWitnesses([web]);
          await gates.read(monoMs);
          await gates.read(monoMs);
          // 600 ns more in web, and so in its parent: web's µs stay, the parent's go up by one.
          await writeFile(usage(webPath), '7000000600\n');
          await writeFile(usage(parentPath), '9000001100\n');
          await gates.read(monoMs);
          expect(gates.ownRead(web)?.cpu).toBe(7_000_000);
          expect(gates.parentAccounts(idle, 2)).not.toBeNull();
        } finally {
          await gates.close();
        }
      });
    }
  }
});
