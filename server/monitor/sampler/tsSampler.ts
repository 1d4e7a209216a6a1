/**
 * The pure-TypeScript sampler: the fallback where the addon is not built, and the reference
 * the addon is tested against. Same plan (plan.ts), same parsers as server/cgroup, same batch.
 *
 * Files stay open between sweeps (FileHandles) and are read with one positioned read at
 * offset 0 — cgroupfs regenerates a file's text for every read at offset 0 — so a sweep
 * costs one read per file and no open/close. Reads go through libuv's thread pool, a few
 * lanes at a time, so the main thread only parses.
 */
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { ParseError } from '@/server/cgroup/parse';
import { CgdashError, errnoOf, kernelFileError } from '@/server/lib/errors';
import { ALL_FIELDS_MASK, FIELD_COUNT, Field, fieldBit } from './fields';
import { finishSwap, parseSampleFile } from './fileParsers';
import type { FileKind } from './kinds';
import { claimFields, planTarget, type PlannedFile, type SampleTarget } from './plan';
import { checkSkip, checkTargets } from './targets';
import type { CgroupSampler, OpenedFile, SampleBatch, SampleError, SetTargetsReport } from './types';

/** Reads in flight at once: enough to keep libuv's pool (4 threads by default) busy. */
const LANES = 32;
const READ_BUFFER_BYTES = 16 * 1024;
/** No cgroup file the sampler reads comes near this. */
const READ_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** open() errors that mean "not there on this kernel/cgroup": the file claims nothing. */
const absentCodes = new Set(['ENOENT', 'EOPNOTSUPP', 'ENOTSUP']);
/** read() errors on a kept descriptor that mean the cgroup was removed. */
const vanishedCodes = new Set(['ENODEV', 'ENOENT']);

interface OpenFile {
  handle: FileHandle;
  kind: FileKind;
  /** The fields it claimed. */
  mask: number;
  path: string;
}

interface OpenTarget {
  key: number;
  signature: string;
  files: OpenFile[];
  /** A directory or file was gone: the next setTargets opens the target afresh. */
  vanished: boolean;
  /** The swap slot holds v1 memory+swap until memory.current is subtracted. */
  swapFromMemsw: boolean;
  /** A planned file failed to open for a reason other than absence: tried afresh next time. */
  openFailed: boolean;
  /** The current table and every sweep in flight. */
  refs: number;
}

interface Table {
  targets: OpenTarget[];
  refs: number;
}

interface Lane {
  buf: Buffer;
}

/** Run `work(i)` for i in 0..count-1 with at most `lanes` running at once. */
async function inLanes(count: number, lanes: number, work: (i: number, lane: Lane) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(lanes, count) }, async () => {
    const lane: Lane = { buf: Buffer.allocUnsafe(READ_BUFFER_BYTES) };
    while (next < count) await work(next++, lane);
  });
  await Promise.all(runners);
}

/** The whole file in one read at offset 0; a read that fills the buffer is retried with more room. */
async function readWhole(handle: FileHandle, lane: Lane): Promise<number> {
  for (;;) {
    const { bytesRead } = await handle.read(lane.buf, 0, lane.buf.length, 0);
    if (bytesRead < lane.buf.length) return bytesRead;
    if (lane.buf.length >= READ_BUFFER_MAX_BYTES) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    lane.buf = Buffer.allocUnsafe(lane.buf.length * 2);
  }
}

function errorOf(err: unknown, key: number, file: string, action: 'read' | 'open'): SampleError {
  return { key, file, code: errnoOf(err) ?? 'EIO', message: kernelFileError(err, { action, file }).message };
}

async function closeFiles(files: readonly OpenFile[]): Promise<void> {
  await Promise.allSettled(files.map((f) => f.handle.close()));
}

export class TsSampler implements CgroupSampler {
  readonly kind = 'ts' as const;
  private table: Table | null = { targets: [], refs: 1 };
  /** setTargets and close run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly wantedMask: number = ALL_FIELDS_MASK) {}

  setTargets(targets: readonly SampleTarget[]): Promise<SetTargetsReport> {
    try {
      checkTargets(targets);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.queue.then(() => this.replaceTargets(targets));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async sample(skip?: Uint32Array): Promise<SampleBatch> {
    const table = this.table;
    if (!table) throw new CgdashError('internal', 'sample: the sampler is closed');
    checkSkip(skip, table.targets.length, 'sample');
    // A copy: the caller may reuse its array while this sweep awaits its reads.
    const masks = skip ? Uint32Array.from(skip) : null;
    this.ref(table);
    try {
      return await this.sweep(table, masks);
    } finally {
      await this.unref(table);
    }
  }

  openedFiles(): OpenedFile[] {
    return (this.table?.targets ?? []).flatMap((t) => t.files.map((f) => ({ key: t.key, path: f.path, kind: f.kind, fieldMask: f.mask })));
  }

  close(): Promise<void> {
    const run = this.queue.then(async () => {
      const table = this.table;
      this.table = null;
      if (table) await this.unref(table);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- target sets ------------------------------------------------------------------------

  private async replaceTargets(targets: readonly SampleTarget[]): Promise<SetTargetsReport> {
    const prev = this.table;
    if (!prev) throw new CgdashError('internal', 'setTargets: the sampler is closed');
    const byKey = new Map(prev.targets.map((t) => [t.key, t]));
    const next: OpenTarget[] = new Array<OpenTarget>(targets.length);
    const errors: SampleError[] = [];
    let kept = 0;
    try {
      await inLanes(targets.length, LANES, async (i) => {
        const target = targets[i] as SampleTarget;
        const plan = planTarget(target.dirs, this.wantedMask);
        const signature = JSON.stringify([target.dirs.map((d) => d.dir), plan]);
        const was = byKey.get(target.key);
        if (was && !was.vanished && !was.openFailed && was.signature === signature) {
          was.refs++;
          next[i] = was;
          kept++;
        } else {
          next[i] = await this.openTarget(target, plan, signature, errors);
        }
      });
    } catch (err) {
      await this.unref({ targets: next.filter(Boolean), refs: 1 });
      throw err;
    }
    this.table = { targets: next, refs: 1 };
    await this.unref(prev);
    return {
      targets: next.length,
      kept,
      opened: next.length - kept,
      dropped: prev.targets.length - kept,
      openFiles: next.reduce((sum, t) => sum + t.files.length, 0),
      errors,
    };
  }

  /** Walk the plan in order: a file opens only for fields no earlier file claimed. */
  private async openTarget(target: SampleTarget, plan: readonly PlannedFile[], signature: string, errors: SampleError[]): Promise<OpenTarget> {
    const t: OpenTarget = { key: target.key, signature, files: [], vanished: false, swapFromMemsw: false, openFailed: false, refs: 1 };
    const dirUsable = new Map<number, boolean>();
    let claimed = 0;
    try {
      for (const f of plan) {
        const want = claimFields(f, claimed);
        if (want === 0) continue;
        const dir = target.dirs[f.dir]?.dir ?? '';
        let usable = dirUsable.get(f.dir);
        if (usable === undefined) dirUsable.set(f.dir, (usable = await this.checkDir(t, dir, errors)));
        if (!usable) continue;
        const file = `${dir}/${f.name}`;
        let handle: FileHandle;
        try {
          handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
        } catch (err) {
          const code = errnoOf(err) ?? '';
          if (code === 'ENODEV') {
            t.vanished = true;
          } else if (!absentCodes.has(code)) {
            errors.push(errorOf(err, t.key, file, 'open'));
            t.openFailed = true;
          }
          continue;
        }
        t.files.push({ handle, kind: f.kind, mask: want, path: file });
        claimed = (claimed | want) >>> 0;
        if (f.kind === 'v1.memory.memsw.usage_in_bytes' && want & fieldBit(Field.memorySwapCurrentBytes)) t.swapFromMemsw = true;
      }
    } catch (err) {
      await closeFiles(t.files);
      throw err;
    }
    return t;
  }

  /** A directory that is gone (or not a directory: never a symlink) makes the target vanished. */
  private async checkDir(t: OpenTarget, dir: string, errors: SampleError[]): Promise<boolean> {
    try {
      if ((await lstat(dir)).isDirectory()) return true;
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        errors.push(errorOf(err, t.key, dir, 'open'));
        t.openFailed = true;
        return false;
      }
    }
    t.vanished = true;
    return false;
  }

  private ref(table: Table): void {
    table.refs++;
  }

  /** Drop one owner of a table; the last owner of a target closes its files. */
  private async unref(table: Table): Promise<void> {
    if (--table.refs > 0) return;
    const closing: OpenFile[] = [];
    for (const t of table.targets) if (--t.refs === 0) closing.push(...t.files);
    await closeFiles(closing);
  }

  // ---- the sweep --------------------------------------------------------------------------

  private async sweep(table: Table, skip: Uint32Array | null): Promise<SampleBatch> {
    const n = table.targets.length;
    const batch: SampleBatch = {
      keys: new Uint32Array(n),
      values: new BigUint64Array(n * FIELD_COUNT),
      present: new Uint32Array(n),
      vanished: new Uint8Array(n),
      errors: [],
      startedNs: process.hrtime.bigint(),
      finishedNs: 0n,
    };
    await inLanes(n, LANES, (i, lane) => this.sweepTarget(table.targets[i] as OpenTarget, i, skip?.[i] ?? 0, lane, batch));
    batch.finishedNs = process.hrtime.bigint();
    return batch;
  }

  private async sweepTarget(t: OpenTarget, row: number, skip: number, lane: Lane, batch: SampleBatch): Promise<void> {
    const base = row * FIELD_COUNT;
    let present = 0;
    let vanished = t.vanished;
    for (const f of t.files) {
      const take = (f.mask & ~skip) >>> 0;
      if (take === 0) continue;
      let length: number;
      try {
        length = await readWhole(f.handle, lane);
      } catch (err) {
        const code = errnoOf(err) ?? '';
        if (vanishedCodes.has(code)) vanished = true;
        else if (code !== 'EOPNOTSUPP' && code !== 'ENOTSUP') batch.errors.push(errorOf(err, t.key, f.path, 'read')); // EOPNOTSUPP: PSI off
        continue;
      }
      let parsed;
      try {
        parsed = parseSampleFile(f.kind, lane.buf.toString('utf8', 0, length), f.path);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        batch.errors.push({ key: t.key, file: f.path, code: 'EPARSE', message: err.message });
        continue;
      }
      for (const [field, value] of parsed) {
        const bit = fieldBit(field);
        if ((take & bit) === 0) continue;
        batch.values[base + field] = value;
        present = (present | bit) >>> 0;
      }
    }
    present = finishSwap(batch.values, base, present, t.swapFromMemsw);
    if (vanished) t.vanished = true;
    batch.keys[row] = t.key;
    batch.present[row] = present;
    batch.vanished[row] = vanished ? 1 : 0;
  }
}
