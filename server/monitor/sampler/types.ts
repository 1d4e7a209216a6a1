/**
 * What both samplers (the C addon and the TypeScript fallback) promise: the same batch for the
 * same cgroups. Rows follow the order of the targets given to `setTargets`.
 */
import type { SampleTarget } from './plan';

/** An unexpected failure of one file; "absent" and "cgroup gone" are not errors. */
export interface SampleError {
  key: number;
  file: string;
  /** errno name ("EACCES", "EMFILE"), or "EPARSE" when the text is not what the kernel writes. */
  code: string;
  message: string;
}

export interface SampleBatch {
  /** One per target, in target order. */
  keys: Uint32Array;
  /** keys.length rows of FIELD_COUNT values (fields.ts); 0 where the field is not present. */
  values: BigUint64Array;
  /** Per target, bit i set = field i was read in this sweep. */
  present: Uint32Array;
  /** Per target, 1 = a directory or file of it was gone (ENOENT/ENODEV): removed cgroup. */
  vanished: Uint8Array;
  errors: SampleError[];
  /** CLOCK_MONOTONIC (process.hrtime.bigint()) when the sweep started and ended. */
  startedNs: bigint;
  finishedNs: bigint;
}

export interface SetTargetsReport {
  targets: number;
  /** Targets whose open files were kept (same key, same plan, not vanished). */
  kept: number;
  /** Targets opened afresh. */
  opened: number;
  /** Targets of the previous set that were closed (after any sweep in flight). */
  dropped: number;
  /** Descriptors held for the new set. */
  openFiles: number;
  /** Files that could not be opened for a reason other than "absent" (EACCES, EMFILE...). */
  errors: SampleError[];
}

export interface OpenedFile {
  key: number;
  path: string;
  kind: string;
  /** The fields this file gives (the ones it claimed in the plan). */
  fieldMask: number;
}

export type SamplerKind = 'native' | 'ts';

export interface CgroupSampler {
  readonly kind: SamplerKind;
  /** Re-callable: keeps the files of targets that remain, opens new ones, closes dropped ones. */
  setTargets(targets: readonly SampleTarget[]): Promise<SetTargetsReport>;
  /**
   * One sweep over every target; never throws for a cgroup that vanished. `skip` (one mask per
   * target, in target order): fields not to read this sweep. A file is left unread when every
   * field it gives is skipped; skipped fields are not present in the batch (nor v1 swap when
   * memory.current is skipped: it is derived from both).
   */
  sample(skip?: Uint32Array): Promise<SampleBatch>;
  /** Every file held open, for diagnostics. */
  openedFiles(): OpenedFile[];
  close(): Promise<void>;
}
