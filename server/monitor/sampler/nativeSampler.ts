/**
 * The C addon behind the same interface as the TypeScript sampler. The plan (which file gives
 * which field) is made here in TypeScript, once for both samplers; the addon opens, reads and
 * parses.
 */
import type { NativeSamplerAddon, Sampler as RawSampler } from '@/native/index';
import { ALL_FIELDS_MASK } from './fields';
import { planTarget, type SampleTarget } from './plan';
import { checkTargets } from './targets';
import type { CgroupSampler, OpenedFile, SampleBatch, SetTargetsReport } from './types';

export class NativeSampler implements CgroupSampler {
  readonly kind = 'native' as const;
  private readonly raw: RawSampler;

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

  /** The sweeps of this sampler and `others` in one worker job: batches in that order. */
  sampleTogether(others: readonly NativeSampler[]): Promise<SampleBatch[]> {
    return this.addon.sampleAll([this.raw, ...others.map((o) => o.raw)]);
  }

  async setTargets(targets: readonly SampleTarget[]): Promise<SetTargetsReport> {
    checkTargets(targets);
    return this.raw.setTargets(
      targets.map((t) => ({ key: t.key, dirs: t.dirs.map((d) => d.dir), files: planTarget(t.dirs, this.wantedMask) })),
    );
  }

  sample(): Promise<SampleBatch> {
    return this.raw.sample();
  }

  openedFiles(): OpenedFile[] {
    return this.raw.openedFiles();
  }

  async close(): Promise<void> {
    this.raw.close();
  }
}
