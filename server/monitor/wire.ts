/**
 * The shape of the `top` stream on the wire, shared by the server and the browser (no Node
 * imports here). A frame is JSON text made once per sweep; rows are arrays in TOP_COLUMNS order.
 */

export interface TopRow {
  ref: string;
  path: string;
  name: string | null;
  kind: 'container' | 'tenant' | 'cgroup' | null;
  tenant: string | null;
  cpuCores: number | null;
  memoryBytes: number | null;
  ioReadBytesPerSec: number | null;
  ioWriteBytesPerSec: number | null;
  pids: number | null;
  cpuThrottledPct: number | null;
  psiCpuSomePct: number | null;
  psiMemorySomePct: number | null;
  psiIoSomePct: number | null;
  memoryMaxBytes: number | null;
  cpuQuotaCores: number | null;
}

export const TOP_COLUMNS = [
  'ref', 'path', 'name', 'kind', 'tenant', 'cpuCores', 'memoryBytes', 'ioReadBytesPerSec', 'ioWriteBytesPerSec', 'pids',
  'cpuThrottledPct', 'psiCpuSomePct', 'psiMemorySomePct', 'psiIoSomePct', 'memoryMaxBytes', 'cpuQuotaCores',
] as const satisfies readonly (keyof TopRow)[];

export interface TopFrame {
  seq: number;
  /** Epoch ms of the sweep. */
  t: number;
  intervalMs: number;
  rows: TopRow[];
}

/**
 * On the wire a frame is either full (every cgroup) or a delta against the previous sweep:
 * only the rows that changed, and the refs that are gone. Idle cgroups do not change, so on a
 * big host a delta is a small fraction of a full frame. A client starts with a full frame and
 * gets another whenever it fell behind.
 */
export interface WireTopFrame {
  seq: number;
  t: number;
  intervalMs: number;
  full: boolean;
  columns: string[];
  rows: unknown[][];
  removed: string[];
}

export function encodeTopFrame(frame: { seq: number; t: number; intervalMs: number; full: boolean; rows: readonly TopRow[]; removed?: readonly string[] }): string {
  const wire: WireTopFrame = {
    seq: frame.seq,
    t: frame.t,
    intervalMs: frame.intervalMs,
    full: frame.full,
    columns: [...TOP_COLUMNS],
    rows: frame.rows.map((r) => TOP_COLUMNS.map((c) => r[c])),
    removed: [...(frame.removed ?? [])],
  };
  return JSON.stringify(wire);
}

function rowsOf(wire: WireTopFrame): TopRow[] {
  // Columns are matched by name, so an older or newer server still reads.
  const at = TOP_COLUMNS.map((c) => wire.columns.indexOf(c));
  return wire.rows.map((cells) => {
    const row = {} as Record<string, unknown>;
    TOP_COLUMNS.forEach((c, k) => {
      const i = at[k] ?? -1;
      row[c] = i >= 0 ? (cells[i] ?? null) : null;
    });
    return row as unknown as TopRow;
  });
}

/** Keeps the rows of a top stream: applies full frames and deltas, returns whole frames. */
export class TopFrameDecoder {
  private readonly rows = new Map<string, TopRow>();
  private seq = -1;

  apply(json: string): TopFrame | null {
    const wire = JSON.parse(json) as WireTopFrame;
    if (!wire.full && this.seq < 0) return null; // a delta before any full frame means nothing
    if (wire.full) this.rows.clear();
    else if (wire.seq <= this.seq) return null;
    for (const r of rowsOf(wire)) this.rows.set(r.ref, r);
    for (const ref of wire.removed ?? []) this.rows.delete(ref);
    this.seq = wire.seq;
    return { seq: wire.seq, t: wire.t, intervalMs: wire.intervalMs, rows: [...this.rows.values()] };
  }
}

/** A single full frame (tests, scripts). */
export function decodeTopFrame(json: string): TopFrame {
  const frame = new TopFrameDecoder().apply(json);
  if (!frame) throw new Error('not a full top frame');
  return frame;
}
