/**
 * The batched cgroup sampler: one call samples every cgroup of the host. Two implementations
 * with the same output — the C addon (native/) and a pure-TypeScript fallback — and one
 * factory that says which one runs.
 *
 *   const sampler = createSampler({ prefer: 'auto' });
 *   await sampler.setTargets([{ key: 1, dirs: placements }]);   // CgroupPlacement[] fits `dirs`
 *   const batch = await sampler.sample();                       // see types.ts and fields.ts
 */
import { CgdashError } from '@/server/lib/errors';
import { ALL_FIELDS_MASK, fieldMask, type FieldId } from './fields';
import { describeAttempts, loadNativeSampler, type NativeLoadAttempt } from './loadNative';
import { NativeSampler } from './nativeSampler';
import { TsSampler } from './tsSampler';
import type { CgroupSampler, SampleBatch } from './types';

export { FIELDS, FIELD_COUNT, FIELD_NAMES, Field, fieldBit, fieldMask, type FieldId, type FieldInfo } from './fields';
export type { SampleTarget, SampleTargetDir } from './plan';
export type { CgroupSampler, OpenedFile, SampleBatch, SampleError, SamplerKind, SetTargetsReport } from './types';

export interface CreateSamplerOptions {
  /** 'auto' (default): the addon when it loads, else TypeScript. 'native' throws when it cannot load. */
  prefer?: 'native' | 'ts' | 'auto';
  /** Only these fields (fewer files open); all by default. */
  fields?: readonly FieldId[];
}

export type SamplerHandle = CgroupSampler & {
  /** Why this implementation runs, for the server's log and status page. */
  readonly reason: string;
  /** Where the addon was looked for (empty when prefer is 'ts'). */
  readonly nativeAttempts: readonly NativeLoadAttempt[];
};

function withInfo(sampler: CgroupSampler, reason: string, nativeAttempts: readonly NativeLoadAttempt[]): SamplerHandle {
  return Object.assign(sampler, { reason, nativeAttempts });
}

/**
 * One sweep of each sampler, one after another in the order given (cpuGates relies on it: its
 * witnesses are read before their parents), batches in the same order; `skips` (when given,
 * one per sampler) are their `sample` skip masks. Addon samplers sweep in a single worker job
 * (one thread hand-off and one completion per tick instead of one per sampler).
 */
export function sampleAll(samplers: readonly CgroupSampler[], skips?: readonly (Uint32Array | undefined)[]): Promise<SampleBatch[]> {
  if (skips && skips.length !== samplers.length) {
    return Promise.reject(new CgdashError('invalid', `sampleAll: ${skips.length} skips for ${samplers.length} samplers`, { field: 'skips' }));
  }
  const [first, ...rest] = samplers;
  if (first instanceof NativeSampler && rest.every((s) => first.canSampleWith(s))) return first.sampleTogether(rest as NativeSampler[], skips);
  return (async () => {
    const batches: SampleBatch[] = [];
    for (const [i, s] of samplers.entries()) batches.push(await s.sample(skips?.[i]));
    return batches;
  })();
}

export function createSampler(options: CreateSamplerOptions = {}): SamplerHandle {
  const prefer = options.prefer ?? 'auto';
  const mask = options.fields ? fieldMask(...options.fields) : ALL_FIELDS_MASK;
  if (prefer === 'ts') return withInfo(new TsSampler(mask), 'TypeScript sampler (asked for)', []);
  const loaded = loadNativeSampler();
  if (loaded.ok) return withInfo(new NativeSampler(loaded.addon, mask), `native addon ${loaded.path}`, loaded.tried);
  if (prefer === 'native') {
    throw new CgdashError('unavailable', `the native cgroup sampler cannot be loaded: ${describeAttempts(loaded.tried)}`);
  }
  return withInfo(new TsSampler(mask), `TypeScript sampler: native addon unavailable (${describeAttempts(loaded.tried)})`, loaded.tried);
}
