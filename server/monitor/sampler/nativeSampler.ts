/**
 * The C addon behind the same interface as the TypeScript sampler. The plan (which file gives
 * which field) is made here in TypeScript, once for both samplers; the addon opens, reads and
 * parses.
 */
import type { NativeSamplerAddon, Sampler as RawSampler } from '@/native/index';
import { ALL_FIELDS_MASK } from './fields';
import { planTarget, type SampleTarget } from './plan';
import { checkSkip, checkTargets } from './targets';
import type { CgroupSampler, OpenedFile, SampleBatch, SetTargetsReport } from './types';

export class NativeSampler implements CgroupSampler {
  readonly kind = 'native' as const;
  private readonly raw: RawSampler;
  /** Targets of the current set (the length a skip must have). */
  private count = 0;

  constructor(
    private readonly addon: NativeSamplerAddon,
    private readonly wantedMask: number = ALL_FIELDS_MASK,
  ) {
    this.raw = new addon.Sampler();
  }

  /** Whether `other` can sweep in one job with this one (`sampleTogether`). */
  canSampleWith(other: CgroupSampler): other is NativeSampler {
    return other instanceof NativeSampler && other.addon === this.addon;
  }

  /** The sweeps of this sampler and `others` in one worker job: batches in that order (skips: one per sampler). */
  async sampleTogether(others: readonly NativeSampler[], skips?: readonly (Uint32Array | undefined)[]): Promise<SampleBatch[]> {
    const all = [this, ...others];
    if (skips) all.forEach((s, i) => checkSkip(skips[i], s.count, `sampleAll: sampler ${i}`));
    return this.addon.sampleAll(all.map((s) => s.raw), skips ? all.map((_, i) => skips[i]) : undefined);
  }

  async setTargets(targets: readonly SampleTarget[]): Promise<SetTargetsReport> {
    checkTargets(targets);
    const report = this.raw.setTargets(
      targets.map((t) => ({ key: t.key, dirs: t.dirs.map((d) => d.dir), files: planTarget(t.dirs, this.wantedMask) })),
    );
    this.count = report.targets;
    return report;
  }

  async sample(skip?: Uint32Array): Promise<SampleBatch> {
    checkSkip(skip, this.count, 'sample');
    return this.raw.sample(skip);
  }

  openedFiles(): OpenedFile[] {
    return this.raw.openedFiles();
  }

  async close(): Promise<void> {
    this.raw.close();
    this.count = 0;
  }
}
