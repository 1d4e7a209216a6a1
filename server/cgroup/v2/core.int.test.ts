/**
 * cgroup v2 core files on this machine's real unified hierarchy: on hybrid hosts the cgroup2
 * mount at /sys/fs/cgroup/unified has no resource controllers, but cgroup.procs, cgroup.events,
 * cgroup.freeze, cgroup.kill, cpu.stat's usage and the *.pressure files are all there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroupDir, type CgroupDir } from '../fsio';
import { openCgroups, type CgroupManager } from '../index';
import { readCgroupProcs } from '../procs';
import { createTestRoot, spawnTestProcess, type TestProcess, type TestRoot } from '../testing';
import { readEvents, v2Core, v2Freezer } from './core';
import { v2CpuStatDriver } from './cpu';
import { v2PsiDriver } from './psi';

let root: TestRoot;
let m: CgroupManager;
let unified: CgroupDir | null = null;
let burner: TestProcess | undefined;
const noUnified = 'this host mounts no cgroup2 hierarchy (pure v1), so there are no v2 core files to read';

beforeAll(async () => {
  // An absolute test root on a pure v2 host: below the root cgroup nothing needs delegating.
  root = await createTestRoot();
  m = await openCgroups({ managedRoot: root.name });
  const h = m.hierarchies.find((x) => x.version === 2);
  if (!h) return;
  // No ensureManagedRoot: these tests use no controller, only core files.
  await m.create('core').catch(async (err) => {
    if (m.mode !== 'v2') throw err;
    await root.cleanup();
    root = await createTestRoot({ absolute: true });
    m = await openCgroups({ managedRoot: root.name });
    await m.create('core');
  });
  const placement = m.resolve('core').find((p) => p.version === 2);
  unified = placement ? await openCgroupDir(h, placement.path) : null;
  burner = spawnTestProcess(process.execPath, ['-e', "process.stdout.write('burning\\n'); for (;;) {}"]);
  await burner.waitForOutput('burning');
  await m.moveProcess(burner.pid, 'core');
});

afterAll(async () => {
  burner?.kill();
  try {
    await root?.cleanup();
  } finally {
    await m?.releaseManagedRoot();
  }
});

describe('v2 core files on the real unified hierarchy', () => {
  it('cgroup.procs and cgroup.events show the process', async (ctx) => {
    if (!unified) return ctx.skip(noUnified);
    expect(await readCgroupProcs(unified)).toEqual([burner?.pid]);
    expect(await readEvents(unified)).toEqual({ populated: true, frozen: false });
    expect(await v2Core.populated(unified)).toBe(true);
  });

  it('cpu.stat usage_usec counts the CPU time the process burns', async (ctx) => {
    if (!unified) return ctx.skip(noUnified);
    const read = async () => (await v2CpuStatDriver.readUsage?.(unified as CgroupDir, new Set(['cpu'])))?.cpu?.usageUsec ?? 0n;
    const first = await read();
    let later = first;
    for (let i = 0; i < 500 && later <= first; i++) {
      await new Promise((r) => setTimeout(r, 10));
      later = await read();
    }
    expect(typeof later).toBe('bigint');
    expect(later).toBeGreaterThan(first);
  });

  it('reads cpu, memory and io pressure', async (ctx) => {
    if (!unified) return ctx.skip(noUnified);
    const psi = (await v2PsiDriver.readUsage?.(unified, new Set(['psi'])))?.psi;
    if (!psi) return ctx.skip('this kernel has no PSI (CONFIG_PSI off or psi=0)');
    for (const pair of [psi.cpu, psi.memory, psi.io]) {
      expect(typeof pair?.some.totalUsec).toBe('bigint');
      expect(pair?.some.avg10).toBeGreaterThanOrEqual(0);
    }
  });

  it('freezes and thaws through cgroup.freeze, settled per cgroup.events', async (ctx) => {
    if (!unified) return ctx.skip(noUnified);
    await v2Freezer.setFrozen(unified, true);
    expect(await readEvents(unified)).toMatchObject({ frozen: true });
    expect(await v2Freezer.isFrozen(unified)).toBe(true);
    await v2Freezer.setFrozen(unified, false);
    expect(await v2Freezer.isFrozen(unified)).toBe(false);
  });

  it('kills everything inside with cgroup.kill', async (ctx) => {
    if (!unified) return ctx.skip(noUnified);
    if (!(await v2Core.kill(unified))) return ctx.skip('this kernel has no cgroup.kill (Linux 5.14+)');
    expect(await burner?.exited).toBe('SIGKILL');
    expect(await readCgroupProcs(unified)).toEqual([]);
  });
});
