/**
 * The cgdash_sampler addon (native/build/Release/cgdash_sampler.node), as loaded by
 * server/monitor/sampler/loadNative.ts. This is the raw surface: callers use `createSampler()`
 * from server/monitor/sampler, which plans the files (plan.ts) and wraps this in the same
 * interface as the TypeScript sampler.
 */

/** One planned file of a target, in precedence order (server/monitor/sampler/plan.ts). */
export interface NativeFileSpec {
  /** Index into the target's `dirs`. */
  dir: number;
  /** File name inside that directory, e.g. "memory.stat" (no "/"). */
  name: string;
  /** One of `fileKinds`: which parser reads it. */
  kind: string;
  /** The fields it may claim; the ones an earlier file of the plan claimed are left to that file. */
  fieldMask: number;
}

export interface NativeTargetSpec {
  /** 0..2^32-1, unique within one call. */
  key: number;
  /** Absolute directories, one per hierarchy. */
  dirs: string[];
  files: NativeFileSpec[];
}

/** An unexpected failure: neither "file absent" nor "cgroup gone". */
export interface NativeSampleError {
  key: number;
  file: string;
  /** errno name ("EACCES", "EMFILE"), or "EPARSE" for text that is not what the kernel writes. */
  code: string;
  message: string;
}

export interface NativeSetTargetsReport {
  targets: number;
  /** Targets whose descriptors were kept (same key, same plan, not vanished). */
  kept: number;
  /** Targets opened afresh. */
  opened: number;
  /** Targets of the previous call not kept: closed now, or when the sweeps reading them end. */
  dropped: number;
  /** Descriptors held for the new target set. */
  openFiles: number;
  errors: NativeSampleError[];
}

export interface NativeSampleBatch {
  keys: Uint32Array;
  /** keys.length rows of fieldNames.length values. */
  values: BigUint64Array;
  present: Uint32Array;
  vanished: Uint8Array;
  errors: NativeSampleError[];
  /** CLOCK_MONOTONIC, the clock of process.hrtime.bigint(). */
  startedNs: bigint;
  finishedNs: bigint;
}

export interface NativeOpenedFile {
  key: number;
  path: string;
  kind: string;
  fieldMask: number;
}

export declare class Sampler {
  constructor();
  /** Synchronous: opens only what is new. Throws TypeError (code ERR_INVALID_ARG_*) on bad input, changing nothing. */
  setTargets(targets: NativeTargetSpec[]): NativeSetTargetsReport;
  /**
   * One sweep over every target, off the main thread. skip: one mask per target (RangeError
   * ERR_OUT_OF_RANGE for another length), the fields not to read this sweep; a file whose
   * fields are all skipped stays unread, and skipped fields are not present.
   */
  sample(skip?: Uint32Array | null): Promise<NativeSampleBatch>;
  openedFiles(): NativeOpenedFile[];
  /** Closes every descriptor (those of sweeps in flight once they end). */
  close(): void;
}

/**
 * The sweeps of several samplers in one job on one worker thread, in order: one thread hand-off
 * and one completion for them all; skips, when given, holds one `sample` skip per sampler.
 * Resolves with their batches in the same order; rejects with
 * ERR_SAMPLER_CLOSED when any of them is closed, TypeError for anything not a Sampler.
 */
export declare function sampleAll(samplers: Sampler[], skips?: (Uint32Array | null | undefined)[] | null): Promise<NativeSampleBatch[]>;

export declare const fieldNames: readonly string[];
export declare const fileKinds: readonly string[];
/** sysconf(_SC_CLK_TCK): the unit of v1 cpuacct.stat. */
export declare const userHz: number;
export declare const abiVersion: number;

export interface NativeSamplerAddon {
  Sampler: typeof Sampler;
  sampleAll: typeof sampleAll;
  fieldNames: readonly string[];
  fileKinds: readonly string[];
  userHz: number;
  abiVersion: number;
}
