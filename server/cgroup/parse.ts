/**
 * Parsers for the file formats cgroupfs uses, shared by the v1 and v2 controllers
 * (Documentation/admin-guide/cgroup-v2.rst "Interface Files > Format").
 * Every parser is pure: text in, typed value out, a `ParseError` naming the file on nonsense.
 */

/** Thrown when a kernel file does not look like the kernel writes it. */
export class ParseError extends Error {
  constructor(
    readonly file: string,
    readonly text: string,
    why: string,
  ) {
    super(`cannot parse ${file}: ${why} (got ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)})`);
    this.name = 'ParseError';
  }
}

/** `memory.stat`, `cpu.stat`, `pids.events`: one "key value" pair per line. */
export type FlatKeyed = Map<string, bigint>;

/** `io.stat`, `io.max`: one "KEY sub=value sub=value" line per key (a device). */
export type NestedKeyed = Map<string, Map<string, string>>;

/** `cpu.pressure` & co. One line per kind, "some" always, "full" where the kernel has it. */
export interface PsiFile {
  some: PsiLine;
  full: PsiLine | null;
}
export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUsec: bigint;
}

/** v1 `blkio.throttle.io_service_bytes`/`io_serviced`: "8:0 Read 123" lines and a final "Total N". */
export interface BlkioStatFile {
  /** device "MAJ:MIN" → operation ("Read", "Write", "Sync", "Async", "Discard", "Total") → value */
  devices: Map<string, Map<string, bigint>>;
  total: bigint | null;
}

const unsignedRe = /^\d+$/;
const signedRe = /^-?\d+$/;

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** A file holding one unsigned integer (`pids.current`, `memory.current`, `cpuacct.usage`). */
export function parseUint(text: string, file: string): bigint {
  const t = text.trim();
  if (!unsignedRe.test(t)) throw new ParseError(file, text, 'expected one unsigned integer');
  return BigInt(t);
}

/** A file holding one signed integer (`cpu.cfs_quota_us` is -1 when unlimited). */
export function parseInt64(text: string, file: string): bigint {
  const t = text.trim();
  if (!signedRe.test(t)) throw new ParseError(file, text, 'expected one integer');
  return BigInt(t);
}

/** A number that must fit a JS number exactly (periods, weights, pids). */
export function toSafeNumber(value: bigint, file: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ParseError(file, value.toString(), 'value does not fit a number');
  }
  return Number(value);
}

/**
 * The largest value v1 prints for "no limit" is LONG_MAX rounded down to the page size
 * (9223372036854771712 with 4 KiB pages). Anything within 64 KiB of LONG_MAX, or beyond it
 * (U64_MAX), is therefore "no limit" on every page size Linux supports.
 */
const NO_LIMIT_THRESHOLD = 9223372036854775807n - 65535n;

/**
 * The ONE place where "no limit" is recognised: v2 `max`, v1 `-1`, v1's page-rounded LONG_MAX,
 * LONG_MAX and U64_MAX all become `null`.
 */
export function parseLimit(text: string, file: string): bigint | null {
  const t = text.trim();
  if (t === 'max' || t === '-1') return null;
  const value = parseInt64(t, file);
  if (value < 0n) throw new ParseError(file, text, 'negative limit');
  return value >= NO_LIMIT_THRESHOLD ? null : value;
}

/** `parseLimit` for limits that are small numbers (pids.max, cpu quota). */
export function parseNumberLimit(text: string, file: string): number | null {
  const v = parseLimit(text, file);
  return v === null ? null : toSafeNumber(v, file);
}

export function parseFlatKeyed(text: string, file: string): FlatKeyed {
  const out: FlatKeyed = new Map();
  for (const line of lines(text)) {
    const parts = line.split(/\s+/);
    const [key, value] = parts;
    if (parts.length !== 2 || key === undefined || value === undefined || !signedRe.test(value)) {
      throw new ParseError(file, line, 'expected "key value" lines');
    }
    out.set(key, BigInt(value));
  }
  return out;
}

export function parseNestedKeyed(text: string, file: string): NestedKeyed {
  const out: NestedKeyed = new Map();
  for (const line of lines(text)) {
    const [key, ...pairs] = line.split(/\s+/);
    if (key === undefined) continue;
    const sub = new Map<string, string>();
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ParseError(file, line, 'expected "KEY sub=value ..." lines');
      sub.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    out.set(key, sub);
  }
  return out;
}

function parsePsiLine(fields: string[], file: string, line: string): PsiLine {
  const values = new Map<string, string>();
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq > 0) values.set(f.slice(0, eq), f.slice(eq + 1));
  }
  const avg = (k: string): number => {
    const v = values.get(k);
    const n = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new ParseError(file, line, `missing ${k}`);
    return n;
  };
  const total = values.get('total');
  if (total === undefined || !unsignedRe.test(total)) throw new ParseError(file, line, 'missing total');
  return { avg10: avg('avg10'), avg60: avg('avg60'), avg300: avg('avg300'), totalUsec: BigInt(total) };
}

/** "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and, where present, the same with "full". */
export function parsePsi(text: string, file: string): PsiFile {
  let some: PsiLine | null = null;
  let full: PsiLine | null = null;
  for (const line of lines(text)) {
    const [kind, ...fields] = line.split(/\s+/);
    if (kind === 'some') some = parsePsiLine(fields, file, line);
    else if (kind === 'full') full = parsePsiLine(fields, file, line);
    else throw new ParseError(file, line, 'expected "some"/"full" lines');
  }
  if (!some) throw new ParseError(file, text, 'no "some" line');
  return { some, full };
}

/** v1 blkio stat files: "8:0 Read 4096" per device and operation, then "Total N". */
export function parseBlkioStat(text: string, file: string): BlkioStatFile {
  const devices = new Map<string, Map<string, bigint>>();
  let total: bigint | null = null;
  for (const line of lines(text)) {
    const parts = line.split(/\s+/);
    if (parts.length === 2 && parts[0] === 'Total' && unsignedRe.test(parts[1] ?? '')) {
      total = BigInt(parts[1] ?? '0');
      continue;
    }
    const [device, op, value] = parts;
    if (parts.length !== 3 || !device || !op || !value || !isDeviceNumber(device) || !unsignedRe.test(value)) {
      throw new ParseError(file, line, 'expected "MAJ:MIN Operation value" lines');
    }
    let ops = devices.get(device);
    if (!ops) devices.set(device, (ops = new Map()));
    ops.set(op, BigInt(value));
  }
  return { devices, total };
}

/** v1 per-device files (`blkio.throttle.read_bps_device`, `blkio.weight_device`): "8:0 1048576". */
export function parseDeviceValues(text: string, file: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of lines(text)) {
    const [device, value] = line.split(/\s+/);
    if (!device || !value || !isDeviceNumber(device) || !unsignedRe.test(value)) {
      throw new ParseError(file, line, 'expected "MAJ:MIN value" lines');
    }
    out.set(device, BigInt(value));
  }
  return out;
}

/** io.weight, io.bfq.weight, blkio.weight: "default 100" (or a bare "100") and "MAJ:MIN N" overrides. */
export interface WeightFile {
  defaultWeight: number | null;
  devices: Map<string, number>;
}

export function parseWeightFile(text: string, file: string): WeightFile {
  const out: WeightFile = { defaultWeight: null, devices: new Map() };
  const num = (t: string | undefined) => toSafeNumber(parseUint(t ?? '', file), file);
  for (const line of lines(text)) {
    const parts = line.split(/\s+/);
    if (parts.length === 1) out.defaultWeight = num(parts[0]);
    else if (parts.length === 2 && parts[0] === 'default') out.defaultWeight = num(parts[1]);
    else if (parts.length === 2 && isDeviceNumber(parts[0] ?? '')) out.devices.set(parts[0] ?? '', num(parts[1]));
    else throw new ParseError(file, line, 'expected "default N", "N" or "MAJ:MIN N"');
  }
  return out;
}

/** "MAJ:MIN" as the kernel prints block device numbers. */
export function isDeviceNumber(text: string): boolean {
  return /^\d{1,10}:\d{1,10}$/.test(text);
}

/** `cgroup.procs`, `tasks`: one pid per line. */
export function parsePidList(text: string, file: string): number[] {
  return lines(text).map((l) => {
    if (!unsignedRe.test(l)) throw new ParseError(file, l, 'expected one pid per line');
    return Number(l);
  });
}

/** `cgroup.controllers`, `cgroup.subtree_control`: space separated names. */
export function parseNameList(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

// ---- cpu lists ("0-3,6") ------------------------------------------------------------------

/** Largest cpu or memory-node number accepted in a list; far above any real machine. */
const MAX_CPU_INDEX = 65535;

/**
 * Parse a kernel cpu/node list ("0-3,6", "" = empty) into sorted unique indices.
 * Returns null on bad syntax so validation can phrase the error for its field.
 */
export function parseCpuList(text: string): number[] | null {
  const t = text.trim();
  if (t === '') return [];
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to || to > MAX_CPU_INDEX) return null;
    for (let i = from; i <= to; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Format indices the way the kernel prints them: ranges collapsed, "0-3,6". */
export function formatCpuList(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** "3,0-2" → "0-3"; null on bad syntax. */
export function normaliseCpuList(text: string): string | null {
  const parsed = parseCpuList(text);
  return parsed === null ? null : formatCpuList(parsed);
}

/** The indices of `subset` that are not in `superset` (empty = it is a subset). */
export function cpuListOutside(subset: readonly number[], superset: readonly number[]): number[] {
  const sup = new Set(superset);
  return subset.filter((i) => !sup.has(i));
}
