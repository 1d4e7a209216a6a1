/**
 * Which files a target is sampled from, in order of precedence. Pure: the same plan feeds the
 * TypeScript sampler and the C addon, so both resolve overlapping fields the same way.
 *
 * Precedence (a field is read from the FIRST file of the plan that provides it and opens):
 *  1. v1 directories before v2 ones. On a hybrid host the v1 hierarchy carries the controller:
 *     it is where runtimes put the processes and enforce limits, so its numbers are the
 *     authority (cpuacct.usage for cpu.usage_usec, cpuacct.stat for user/system, memory.* …).
 *     The unified v2 directory of the same path then only gives what v1 lacks: PSI always,
 *     and cpu.stat's usage fields only where no cpuacct hierarchy is mounted.
 *  2. Within a v1 directory, the `_recursive` blkio files before the plain ones (v2's io.stat
 *     includes descendants, so v1 should too) — the same choice as server/cgroup/v1/blkio.ts.
 *  3. A file that does not exist (ENOENT at open: controller absent, no swap accounting, no
 *     PSI) claims nothing, and the next file that provides its fields is tried.
 * A file whose fields are all claimed already is never opened: on hybrid hosts that keeps
 * v2 cpu.stat closed, one descriptor and one read fewer per cgroup.
 */
import { ALL_FIELDS_MASK } from './fields';
import { kindFieldMask, type FileKind } from './kinds';

/** Where one logical cgroup lives in one hierarchy (a `CgroupPlacement` fits). */
export interface SampleTargetDir {
  dir: string;
  version: 1 | 2;
  /** v1: the hierarchy's controllers; v2: the controllers enabled for this cgroup (or the root's). */
  controllers: readonly string[];
}

/** One logical cgroup: one directory per hierarchy it exists in. */
export interface SampleTarget {
  /** The caller's id for it; 0..2^32-1 and unique within one setTargets call. */
  key: number;
  dirs: readonly SampleTargetDir[];
}

export interface PlannedFile {
  /** Index into the target's `dirs`. */
  dir: number;
  name: string;
  kind: FileKind;
  /** The fields this file may claim (its kind's fields ∩ the fields asked for). */
  fieldMask: number;
}

interface Candidate {
  name: string;
  kind: FileKind;
}

/** v1 controller → files, in precedence order within the controller. */
const v1Files: readonly { controller: string; files: readonly Candidate[] }[] = [
  {
    controller: 'cpuacct',
    files: [
      { name: 'cpuacct.usage', kind: 'v1.cpuacct.usage' },
      { name: 'cpuacct.stat', kind: 'v1.cpuacct.stat' },
    ],
  },
  { controller: 'cpu', files: [{ name: 'cpu.stat', kind: 'v1.cpu.stat' }] },
  {
    controller: 'memory',
    files: [
      { name: 'memory.usage_in_bytes', kind: 'v1.memory.usage_in_bytes' },
      { name: 'memory.stat', kind: 'v1.memory.stat' },
      { name: 'memory.kmem.usage_in_bytes', kind: 'v1.memory.kmem.usage_in_bytes' },
      { name: 'memory.memsw.usage_in_bytes', kind: 'v1.memory.memsw.usage_in_bytes' },
      { name: 'memory.failcnt', kind: 'v1.memory.failcnt' },
      { name: 'memory.oom_control', kind: 'v1.memory.oom_control' },
    ],
  },
  {
    controller: 'blkio',
    files: [
      { name: 'blkio.throttle.io_service_bytes_recursive', kind: 'v1.blkio.io_service_bytes' },
      { name: 'blkio.throttle.io_service_bytes', kind: 'v1.blkio.io_service_bytes' },
      { name: 'blkio.throttle.io_serviced_recursive', kind: 'v1.blkio.io_serviced' },
      { name: 'blkio.throttle.io_serviced', kind: 'v1.blkio.io_serviced' },
    ],
  },
  { controller: 'pids', files: [{ name: 'pids.current', kind: 'pids.current' }] },
];

/**
 * v2 files; `controller: null` marks core files, present in every cgroup of the unified
 * hierarchy whatever is enabled (cpu.stat's usage fields, the PSI files).
 */
const v2Files: readonly { controller: string | null; files: readonly Candidate[] }[] = [
  { controller: null, files: [{ name: 'cpu.stat', kind: 'v2.cpu.stat' }] },
  {
    controller: 'memory',
    files: [
      { name: 'memory.current', kind: 'v2.memory.current' },
      { name: 'memory.stat', kind: 'v2.memory.stat' },
      { name: 'memory.swap.current', kind: 'v2.memory.swap.current' },
      // This cgroup's own events first (Linux 5.2+): memory.events counts the whole subtree,
      // so a container's OOM kill would be reported for each of its parents too.
      { name: 'memory.events.local', kind: 'v2.memory.events' },
      { name: 'memory.events', kind: 'v2.memory.events' },
    ],
  },
  { controller: 'io', files: [{ name: 'io.stat', kind: 'v2.io.stat' }] },
  { controller: 'pids', files: [{ name: 'pids.current', kind: 'pids.current' }] },
  {
    controller: null,
    files: [
      { name: 'cpu.pressure', kind: 'v2.cpu.pressure' },
      { name: 'memory.pressure', kind: 'v2.memory.pressure' },
      { name: 'io.pressure', kind: 'v2.io.pressure' },
    ],
  },
];

/**
 * The candidate files of a target in precedence order. Fields already certain to be claimed by
 * an earlier file are NOT subtracted here: that depends on which files exist, which the sampler
 * learns when it opens them (`claimFields`).
 */
export function planTarget(dirs: readonly SampleTargetDir[], wantedMask: number = ALL_FIELDS_MASK): PlannedFile[] {
  const out: PlannedFile[] = [];
  const add = (dir: number, c: Candidate) => {
    const fieldMask = (kindFieldMask(c.kind) & wantedMask) >>> 0;
    if (fieldMask !== 0) out.push({ dir, name: c.name, kind: c.kind, fieldMask });
  };
  dirs.forEach((d, i) => {
    if (d.version !== 1) return;
    for (const group of v1Files) if (d.controllers.includes(group.controller)) group.files.forEach((c) => add(i, c));
  });
  dirs.forEach((d, i) => {
    if (d.version !== 2) return;
    for (const group of v2Files) {
      if (group.controller === null || d.controllers.includes(group.controller)) group.files.forEach((c) => add(i, c));
    }
  });
  return out;
}

/**
 * The fields a planned file takes when it opens, given the fields claimed before it; 0 means
 * "do not open it". Both samplers walk the plan with this, in order.
 */
export function claimFields(file: PlannedFile, claimed: number): number {
  return (file.fieldMask & ~claimed) >>> 0;
}
