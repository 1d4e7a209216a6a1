/**
 * The last 15 minutes of every charted series at full resolution, in fixed memory.
 *
 * One column per sweep: the sweep's time, and for every slot (a cgroup that has one) SERIES_COUNT
 * Float32 values. Columns wrap around after `capacity` sweeps. Memory is set by `maxSlots` ×
 * capacity × SERIES_COUNT × 4 bytes whatever the number of cgroups: past `maxSlots` a cgroup gets
 * no slot (its latest values and minute rollups are still kept; only the 15-minute chart is
 * coarser). Slot memory is allocated in chunks as slots are first used.
 *
 * Sweeps are numbered by `seq`, consecutive. A sweep the loop missed (the server was busy) is
 * simply not there: the times of the columns show the gap. A slot not written in a sweep (its
 * cgroup vanished, or had no value) reads as NaN for that sweep.
 */
import { SERIES_COUNT } from './series';

export interface RingOptions {
  /** Sweeps kept (15 min / interval). */
  capacity: number;
  /** The most slots (cgroups) ever held. */
  maxSlots: number;
  /** Slots per allocated chunk. */
  chunkSlots?: number;
}

/** Slots that fit a memory budget at a given capacity. */
export function slotsForBudget(budgetBytes: number, capacity: number): number {
  return Math.max(1, Math.floor(budgetBytes / (capacity * SERIES_COUNT * Float32Array.BYTES_PER_ELEMENT)));
}

export class SeriesRing {
  readonly capacity: number;
  readonly maxSlots: number;
  private readonly chunkSlots: number;
  private readonly timesMs: Float64Array;
  private readonly columnSeq: Float64Array;
  private readonly chunks: Float32Array[] = [];
  /** Per slot: the first seq its data is valid from (a reused slot must not show its old cgroup). */
  private readonly bornSeq: Float64Array;
  /** Per slot: the last seq written, to fill the sweeps a slot missed with NaN. */
  private readonly writtenSeq: Float64Array;
  private readonly inUse: Uint8Array;
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private used = 0;
  /** The seq of the newest column; -1 before the first sweep. */
  headSeq = -1;

  constructor(options: RingOptions) {
    if (!(options.capacity >= 2) || !(options.maxSlots >= 1)) throw new Error('ring: capacity ≥ 2 and maxSlots ≥ 1 required');
    this.capacity = Math.floor(options.capacity);
    this.maxSlots = Math.floor(options.maxSlots);
    this.chunkSlots = Math.max(1, Math.min(options.chunkSlots ?? 64, this.maxSlots));
    this.timesMs = new Float64Array(this.capacity);
    this.columnSeq = new Float64Array(this.capacity).fill(-1);
    this.bornSeq = new Float64Array(this.maxSlots);
    this.writtenSeq = new Float64Array(this.maxSlots).fill(-1);
    this.inUse = new Uint8Array(this.maxSlots);
  }

  /** A slot for a new cgroup, valid from the next sweep on; null when all are taken. */
  allocSlot(): number | null {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.nextSlot >= this.maxSlots) return null;
      slot = this.nextSlot++;
      const chunk = Math.floor(slot / this.chunkSlots);
      while (this.chunks.length <= chunk) this.chunks.push(new Float32Array(this.chunkSlots * this.capacity * SERIES_COUNT).fill(NaN));
    }
    this.inUse[slot] = 1;
    this.bornSeq[slot] = this.headSeq + 1;
    this.writtenSeq[slot] = this.headSeq;
    this.used++;
    return slot;
  }

  freeSlot(slot: number): void {
    if (!this.inUse[slot]) return;
    this.inUse[slot] = 0;
    this.used--;
    this.freeSlots.push(slot);
  }

  get slotsInUse(): number {
    return this.used;
  }

  /** Bytes held by the ring (allocated chunks and the per-sweep arrays). */
  get bytes(): number {
    return this.chunks.length * this.chunkSlots * this.capacity * SERIES_COUNT * 4 + this.capacity * 16 + this.maxSlots * 17;
  }

  private base(slot: number, seq: number): { chunk: Float32Array; at: number } {
    const chunk = this.chunks[Math.floor(slot / this.chunkSlots)];
    if (!chunk) throw new Error(`ring: slot ${slot} was never allocated`);
    const col = seq % this.capacity;
    return { chunk, at: ((slot % this.chunkSlots) * this.capacity + col) * SERIES_COUNT };
  }

  /** Open the column of sweep `seq` (headSeq + 1) taken at `timeMs`. */
  beginSweep(seq: number, timeMs: number): void {
    if (seq !== this.headSeq + 1) throw new Error(`ring: sweep ${seq} after ${this.headSeq}`);
    const col = seq % this.capacity;
    this.headSeq = seq;
    this.timesMs[col] = timeMs;
    this.columnSeq[col] = seq;
  }

  /** The values of `slot` in the current sweep (SERIES_COUNT values from `offset`). */
  write(slot: number, values: ArrayLike<number>, offset = 0): void {
    const { chunk, at } = this.base(slot, this.headSeq);
    for (let s = 0; s < SERIES_COUNT; s++) chunk[at + s] = values[offset + s] ?? NaN;
    this.writtenSeq[slot] = this.headSeq;
  }

  /** Close the current sweep: slots in use that were not written read NaN for it. */
  endSweep(): void {
    const seq = this.headSeq;
    for (let slot = 0; slot < this.nextSlot; slot++) {
      if (!this.inUse[slot] || this.writtenSeq[slot] === seq) continue;
      const { chunk, at } = this.base(slot, seq);
      chunk.fill(NaN, at, at + SERIES_COUNT);
      this.writtenSeq[slot] = seq;
    }
  }

  /** The oldest seq still held. */
  get oldestSeq(): number {
    return Math.max(0, this.headSeq - this.capacity + 1);
  }

  has(seq: number): boolean {
    return seq >= this.oldestSeq && seq <= this.headSeq && this.columnSeq[seq % this.capacity] === seq;
  }

  timeOf(seq: number): number {
    return this.has(seq) ? (this.timesMs[seq % this.capacity] ?? NaN) : NaN;
  }

  /** The first seq taken at or after `timeMs` (headSeq + 1 when none). */
  seqAtOrAfter(timeMs: number): number {
    let lo = this.oldestSeq;
    let hi = this.headSeq + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeOf(mid) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Copy the values of `slot` at sweep `seq` into `out` (SERIES_COUNT from `offset`); false (and
   * NaN) when the sweep is gone or predates the slot's cgroup.
   */
  read(slot: number, seq: number, out: Float32Array | Float64Array, offset = 0): boolean {
    if (!this.inUse[slot] || !this.has(seq) || seq < (this.bornSeq[slot] ?? Infinity)) {
      out.fill(NaN, offset, offset + SERIES_COUNT);
      return false;
    }
    const { chunk, at } = this.base(slot, seq);
    for (let s = 0; s < SERIES_COUNT; s++) out[offset + s] = chunk[at + s] ?? NaN;
    return true;
  }
}
