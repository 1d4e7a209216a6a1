/**
 * One-minute rollups of every charted series (average and maximum), kept in SQLite for 7 days so
 * that charts past 15 minutes, and charts after a restart, have data.
 *
 * Compact rows: (key id, minute) → one Float32 blob of SERIES_COUNT averages then SERIES_COUNT
 * maxima, NaN where a series had no value. WITHOUT ROWID keeps the table one B-tree ordered by
 * key and minute, so a chart reads one contiguous range. A minute is written once, in one
 * transaction for all cgroups, when the next minute starts.
 */
import type { Db } from '@/server/db';
import { SERIES_COUNT } from './series';

export const ROLLUP_MS = 60_000;
export const ROLLUP_RETENTION_MS = 7 * 24 * 3600_000;

export function minuteOf(timeMs: number): number {
  return Math.floor(timeMs / ROLLUP_MS);
}

/** Sums, counts and maxima of the minute being collected, per cgroup index. */
export class MinuteAccumulator {
  minute = -1;
  private sum = new Float64Array(0);
  private count = new Uint16Array(0);
  private max = new Float32Array(0);
  private size = 0;

  private ensure(index: number): void {
    if (index < this.size) return;
    let size = Math.max(64, this.size);
    while (size <= index) size *= 2;
    const grow = <T extends Float64Array | Uint16Array | Float32Array>(old: T, make: (n: number) => T, fill: number): T => {
      const next = make(size * SERIES_COUNT);
      next.fill(fill);
      next.set(old);
      return next;
    };
    this.sum = grow(this.sum, (n) => new Float64Array(n), 0);
    this.count = grow(this.count, (n) => new Uint16Array(n), 0);
    this.max = grow(this.max, (n) => new Float32Array(n), -Infinity);
    this.size = size;
  }

  add(index: number, values: ArrayLike<number>, offset = 0): void {
    this.ensure(index);
    const base = index * SERIES_COUNT;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const v = values[offset + s] ?? NaN;
      if (Number.isNaN(v)) continue;
      this.sum[base + s] = (this.sum[base + s] ?? 0) + v;
      this.count[base + s] = (this.count[base + s] ?? 0) + 1;
      if (v > (this.max[base + s] ?? -Infinity)) this.max[base + s] = v;
    }
  }

  /** Whether cgroup `index` has any value this minute. */
  hasData(index: number): boolean {
    if (index >= this.size) return false;
    const base = index * SERIES_COUNT;
    for (let s = 0; s < SERIES_COUNT; s++) if ((this.count[base + s] ?? 0) > 0) return true;
    return false;
  }

  /** The minute so far as [avg × SERIES_COUNT, max × SERIES_COUNT]. */
  blob(index: number): Float32Array {
    const out = new Float32Array(SERIES_COUNT * 2).fill(NaN);
    if (index >= this.size) return out;
    const base = index * SERIES_COUNT;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const n = this.count[base + s] ?? 0;
      if (n === 0) continue;
      out[s] = (this.sum[base + s] ?? 0) / n;
      out[SERIES_COUNT + s] = this.max[base + s] ?? NaN;
    }
    return out;
  }

  /** Forget one cgroup (its index is about to be reused). */
  clear(index: number): void {
    if (index >= this.size) return;
    const base = index * SERIES_COUNT;
    this.sum.fill(0, base, base + SERIES_COUNT);
    this.count.fill(0, base, base + SERIES_COUNT);
    this.max.fill(-Infinity, base, base + SERIES_COUNT);
  }

  reset(minute: number): void {
    this.minute = minute;
    this.sum.fill(0);
    this.count.fill(0);
    this.max.fill(-Infinity);
  }
}

export interface RollupRow {
  minute: number;
  avg: Float32Array;
  max: Float32Array;
}

export class RollupStore {
  private readonly insert;
  private readonly range;
  private readonly pruneKey;
  private readonly keyIds;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT OR REPLACE INTO monitor_rollups (key_id, minute, data) VALUES (?, ?, ?)');
    this.range = db.prepare<[number, number, number], { minute: number; data: Buffer }>(
      'SELECT minute, data FROM monitor_rollups WHERE key_id = ? AND minute >= ? AND minute < ? ORDER BY minute',
    );
    this.pruneKey = db.prepare('DELETE FROM monitor_rollups WHERE key_id = ? AND minute < ?');
    this.keyIds = db.prepare<[], { id: number }>('SELECT id FROM monitor_keys');
  }

  /** One minute of many cgroups in one transaction. */
  writeMinute(minute: number, rows: readonly { keyId: number; blob: Float32Array }[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const r of rows) this.insert.run(r.keyId, minute, Buffer.from(r.blob.buffer, r.blob.byteOffset, r.blob.byteLength));
    })();
  }

  /** Minutes [fromMinute, toMinute) of one cgroup, ascending. */
  read(keyId: number, fromMinute: number, toMinute: number): RollupRow[] {
    return this.range.all(keyId, fromMinute, toMinute).map((r) => {
      const f = new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength));
      // Rows written before a series was appended are shorter: the new series read NaN.
      const stored = Math.floor(f.length / 2);
      const avg = new Float32Array(SERIES_COUNT).fill(NaN);
      const max = new Float32Array(SERIES_COUNT).fill(NaN);
      avg.set(f.subarray(0, Math.min(stored, SERIES_COUNT)));
      max.set(f.subarray(stored, stored + Math.min(stored, SERIES_COUNT)));
      return { minute: r.minute, avg, max };
    });
  }

  /** Drop minutes older than `beforeMinute`; one indexed range delete per key. */
  prune(beforeMinute: number): number {
    let removed = 0;
    this.db.transaction(() => {
      for (const { id } of this.keyIds.all()) removed += this.pruneKey.run(id, beforeMinute).changes;
    })();
    return removed;
  }
}
