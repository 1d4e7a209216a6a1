/**
 * cgdash's kernel-facing cgroup module. `openCgroups` is the one place that asks "v1 or v2?":
 * it reads the mounted hierarchies from mountinfo and binds each controller driver to the
 * hierarchy that carries the controller (a v1 hierarchy, or the unified one). Everything past
 * this point speaks the one model in model.ts.
 */
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import type { Bound, ControllerDriver } from './driver';
import { selfPid, type HostRoots } from './fsio';
import { CgroupManager, type HierarchyBinding } from './manager';
import type { Hierarchy } from './model';
import { detectHierarchies, managedRootIn } from './mounts';
import { parseManagedRootName, type ParsedRef } from './refs';
import { v1BlkioDriver } from './v1/blkio';
import { v1CpuDriver } from './v1/cpu';
import { v1CpuacctDriver } from './v1/cpuacct';
import { v1CpusetDriver } from './v1/cpuset';
import { v1Freezer } from './v1/freezer';
import { v1MemoryDriver } from './v1/memory';
import { v1PidsDriver } from './v1/pids';
import { readControllers, readSubtreeControl, v2Core, v2Freezer, writeSubtreeControl } from './v2/core';
import { v2CpuDriver, v2CpuStatDriver } from './v2/cpu';
import { v2CpusetDriver } from './v2/cpuset';
import { v2IoDriver } from './v2/io';
import { v2MemoryDriver } from './v2/memory';
import { v2PidsDriver } from './v2/pids';
import { v2PsiDriver } from './v2/psi';

export { CgroupManager } from './manager';
export type { CreateOptions, DelegationStep, ProcCgroup, ReadError, RemoveOptions, WriteOptions } from './manager';
export type * from './model';

export interface OpenCgroupsOptions {
  /** CGDASH_CGROUP_ROOT: relative (to the server's own cgroup, per hierarchy) or absolute. */
  managedRoot: string;
  /** Prefix of every mount point: a fixture tree in tests; "" (the real /) by default. */
  fsRoot?: string;
  /** Where /proc is; "/proc" by default. */
  procRoot?: string;
}

/** v1 controllers in order of precedence (cpuacct's usage before cpu's throttling counters). */
const v1Drivers: [string, ControllerDriver][] = [
  ['cpuacct', v1CpuacctDriver],
  ['cpu', v1CpuDriver],
  ['cpuset', v1CpusetDriver],
  ['memory', v1MemoryDriver],
  ['blkio', v1BlkioDriver],
  ['pids', v1PidsDriver],
];

const v2Drivers: [string, ControllerDriver][] = [
  ['cpu', v2CpuDriver],
  ['cpuset', v2CpusetDriver],
  ['memory', v2MemoryDriver],
  ['io', v2IoDriver],
  ['pids', v2PidsDriver],
];

/** The v2 controllers cgdash hands down the managed tree (the ones the model has limits for). */
export const managedV2Controllers = v2Drivers.map(([name]) => name);

/**
 * The server may have moved itself into `<managed root>-server` on an earlier run (see tree.ts);
 * the managed root still hangs beside that leaf, not below it.
 */
function withoutServerLeaf(h: Hierarchy, managed: ParsedRef): Hierarchy {
  if (h.version !== 2 || managed.kind !== 'relative') return h;
  const leaf = `${managed.segments[0]}-server`;
  if (path.posix.basename(h.selfPath) !== leaf) return h;
  return { ...h, managedRoot: managedRootIn(path.posix.dirname(h.selfPath), managed.text) };
}

export async function openCgroups(options: OpenCgroupsOptions): Promise<CgroupManager> {
  const managed = parseManagedRootName(options.managedRoot);
  const roots: HostRoots = { fsRoot: options.fsRoot ?? '', procRoot: options.procRoot ?? '/proc' };
  const detection = await detectHierarchies({ managedRoot: managed.text, fsRoot: roots.fsRoot, procRoot: roots.procRoot });
  if (detection.hierarchies.length === 0) {
    throw new CgdashError('unavailable', 'no cgroup hierarchy is mounted (nothing of type cgroup or cgroup2 in /proc/self/mountinfo)');
  }
  const hierarchies = detection.hierarchies.map((h) => withoutServerLeaf(h, managed));

  const controllers: Bound<ControllerDriver>[] = [];
  const bindings: HierarchyBinding[] = [];
  for (const h of hierarchies.filter((x) => x.version === 1)) {
    for (const [name, driver] of v1Drivers) if (h.controllers.includes(name)) controllers.push({ driver, hierarchy: h });
    bindings.push({ hierarchy: h, delegate: [], readDelegation: null, writeSubtreeControl: async () => {} });
  }
  const unified = hierarchies.find((x) => x.version === 2) ?? null;
  if (unified) {
    // A controller lives in one hierarchy at a time, so what the unified root offers is not
    // also on a v1 mount: binding by name cannot double up.
    for (const [name, driver] of v2Drivers) if (unified.controllers.includes(name)) controllers.push({ driver, hierarchy: unified });
    // cpu.stat's usage and the *.pressure files are core: present even with no controller.
    if (!unified.controllers.includes('cpu')) controllers.push({ driver: v2CpuStatDriver, hierarchy: unified });
    controllers.push({ driver: v2PsiDriver, hierarchy: unified });
    bindings.push({
      hierarchy: unified,
      delegate: managedV2Controllers.filter((c) => unified.controllers.includes(c)),
      readDelegation: async (d) => ({ controllers: await readControllers(d), subtreeControl: await readSubtreeControl(d) }),
      writeSubtreeControl,
    });
  }
  const v1FreezerHierarchy = hierarchies.find((x) => x.version === 1 && x.controllers.includes('freezer'));

  return new CgroupManager({
    mode: detection.mode,
    hierarchies,
    managedRootName: managed.text,
    roots,
    serverPid: await selfPid(roots),
    bindings,
    controllers,
    freezer: v1FreezerHierarchy ? { driver: v1Freezer, hierarchy: v1FreezerHierarchy } : unified ? { driver: v2Freezer, hierarchy: unified } : null,
    core: unified ? { driver: v2Core, hierarchy: unified } : null,
  });
}
