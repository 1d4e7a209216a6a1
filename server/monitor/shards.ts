/**
 * A sampler split into fixed shards by key. `setTargets` costs time on the main thread for
 * every target it is given (planning the files, comparing them with the open ones: ~0.1 ms a
 * cgroup), even for targets that did not change; on a host with a thousand cgroups where
 * containers come and go, giving the whole set again for each change blocks the event loop for
 * tens of milliseconds. With shards, a change re-sets only the shards whose members changed.
 * A key always lands in the same shard (key mod shard count), so no file is ever reopened for
 * a cgroup that stayed.
 */
import { sampleAll, type SampleBatch, type SampleTarget, type SamplerHandle } from './sampler';

export interface ShardTarget extends SampleTarget {
  /** Changes when the target's directories change (dirsSignature). */
  signature: string;
}

interface Shard {
  sampler: SamplerHandle | null;
  signature: string;
  /** The shard's keys in row order, and a reused array for its skip masks. */
  keys: Uint32Array;
  skip: Uint32Array;
}

/** Samplers to sweep together (`sampleAll`), with their skip masks. */
export interface SweepParts {
  samplers: SamplerHandle[];
  skips: (Uint32Array | undefined)[];
}

export class ShardedSampler {
  private readonly shards: Shard[];
  /** Shards re-set so far (for status and tests). */
  resets = 0;

  constructor(
    private readonly make: () => SamplerHandle,
    readonly shardCount = 32,
  ) {
    this.shards = Array.from({ length: shardCount }, () => ({ sampler: null, signature: '', keys: new Uint32Array(0), skip: new Uint32Array(0) }));
  }

  /** The implementation that runs (made on first use). */
  info(): { kind: string; reason: string } | null {
    const s = this.shards.find((x) => x.sampler)?.sampler;
    return s ? { kind: s.kind, reason: s.reason } : null;
  }

  async setTargets(targets: readonly ShardTarget[]): Promise<number> {
    const groups: ShardTarget[][] = Array.from({ length: this.shardCount }, () => []);
    for (const t of targets) groups[t.key % this.shardCount]?.push(t);
    let changed = 0;
    for (let i = 0; i < this.shardCount; i++) {
      const shard = this.shards[i]!;
      const list = groups[i]!;
      const signature = list.map((t) => `${t.key}\n${t.signature}`).join('\n\n');
      if (signature === shard.signature) continue;
      if (list.length > 0 && !shard.sampler) shard.sampler = this.make();
      if (shard.sampler) await shard.sampler.setTargets(list.map((t) => ({ key: t.key, dirs: t.dirs })));
      shard.signature = signature;
      shard.keys = Uint32Array.from(list, (t) => t.key);
      shard.skip = new Uint32Array(list.length);
      changed++;
      this.resets++;
    }
    return changed;
  }

  /** One sweep of every non-empty shard (with the addon: one worker job for them all). */
  sample(skipOf?: (key: number) => number): Promise<SampleBatch[]> {
    const parts = this.parts(skipOf);
    return sampleAll(parts.samplers, parts.skips);
  }

  /**
   * The non-empty shards, to sweep in one `sampleAll` with other samplers; `skipOf` gives each
   * target's skip mask for this sweep (none when absent). The masks are valid until the next call.
   */
  parts(skipOf?: (key: number) => number): SweepParts {
    const parts: SweepParts = { samplers: [], skips: [] };
    for (const s of this.shards) {
      if (!s.sampler || s.keys.length === 0) continue;
      parts.samplers.push(s.sampler);
      if (skipOf) for (let r = 0; r < s.keys.length; r++) s.skip[r] = skipOf(s.keys[r]!);
      parts.skips.push(skipOf ? s.skip : undefined);
    }
    return parts;
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.sampler?.close()));
    for (const s of this.shards) {
      s.sampler = null;
      s.signature = '';
      s.keys = new Uint32Array(0);
      s.skip = new Uint32Array(0);
    }
  }
}
