/** Test helpers for the sampler's unit and integration tests. */
import { readdirSync } from 'node:fs';
import type { NativeSamplerAddon } from '@/native/index';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { createTestRoot, type TestRoot } from '@/server/cgroup/testing';
import { isCgdashError } from '@/server/lib/errors';
import { FIELD_COUNT, FIELD_NAMES, fieldBit } from './fields';
import { describeAttempts, loadNativeSampler } from './loadNative';
import type { SampleBatch } from './types';

/** The addon, or a failure that says where it was looked for (the test suite builds it first). */
export function requireNativeAddon(): NativeSamplerAddon {
  const loaded = loadNativeSampler();
  if (!loaded.ok) throw new Error(`the native sampler is not built or not loadable: ${describeAttempts(loaded.tried)}`);
  return loaded.addon;
}

/** Row `i` of a batch as { field name: value } for the fields present. */
export function rowOf(batch: SampleBatch, i: number): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const present = batch.present[i] ?? 0;
  FIELD_NAMES.forEach((name, f) => {
    if (present & fieldBit(f)) out[name] = batch.values[i * FIELD_COUNT + f] ?? 0n;
  });
  return out;
}

/** Rows keyed by target key. */
export function rowsByKey(batch: SampleBatch): Map<number, Record<string, bigint>> {
  const out = new Map<number, Record<string, bigint>>();
  batch.keys.forEach((key, i) => out.set(key, rowOf(batch, i)));
  return out;
}

/** Errors in a stable order, without messages (the two samplers word them differently). */
export function errorCodes(batch: { errors: readonly { key: number; file: string; code: string }[] }): string[] {
  return batch.errors.map((e) => `${e.key} ${e.file} ${e.code}`).sort();
}

/** Descriptors this process holds now. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

export interface ManagedTestRoot {
  root: TestRoot;
  /** The cgroup module on the test root: `create`, `moveProcess`, `resolve` relative names in it. */
  cgroups: CgroupManager;
  /** Remove everything below the test root (killing what the test started there) and undo the delegation. */
  cleanup(): Promise<void>;
}

/**
 * A fresh test root made ready by the cgroup module: on v2 its controllers are handed down, on
 * v1 the cpuset lists are set, so cgroups created in it have every controller's files. Where a
 * pure v2 host refuses to delegate below the test's own cgroup (other processes share it), the
 * root moves below the root cgroup, as the cgroup module's own tests do.
 */
export async function createManagedTestRoot(): Promise<ManagedTestRoot> {
  let root = await createTestRoot();
  let cgroups = await openCgroups({ managedRoot: root.name });
  try {
    await cgroups.ensureManagedRoot();
  } catch (err) {
    await root.cleanup();
    if (!(isCgdashError(err) && err.kind === 'busy' && cgroups.mode === 'v2')) throw err;
    root = await createTestRoot({ absolute: true });
    cgroups = await openCgroups({ managedRoot: root.name });
    await cgroups.ensureManagedRoot();
  }
  const done = { root, cgroups };
  return {
    ...done,
    async cleanup() {
      try {
        await done.root.cleanup();
      } finally {
        await done.cgroups.releaseManagedRoot();
      }
    },
  };
}
