/**
 * conmon's k8s-file log: one record per line, `<RFC3339Nano> <stdout|stderr> <F|P> <text>`,
 * where P marks a partial line continued by the next record of the same stream. Reading joins
 * partials; `followLogs` yields lines as conmon appends them.
 */
import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import { errnoOf } from '@/server/lib/errors';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** As conmon wrote it (RFC 3339 with nanoseconds); `timeMs` for comparisons. */
  time: string;
  timeMs: number;
  stream: LogStream;
  text: string;
}

export interface LogRecord {
  time: string;
  stream: LogStream;
  partial: boolean;
  text: string;
}

export function parseLogRecord(line: string): LogRecord | null {
  const m = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
  if (!m) return null;
  return { time: m[1] as string, stream: m[2] as LogStream, partial: m[3] === 'P', text: m[4] ?? '' };
}

/** Assembles records into lines; partial records wait for the rest of their stream's line. */
export class LogAssembler {
  private readonly pending = new Map<LogStream, LogRecord>();

  push(record: LogRecord): LogLine | null {
    const before = this.pending.get(record.stream);
    const merged: LogRecord = before ? { ...before, text: before.text + record.text, partial: record.partial } : record;
    if (merged.partial) {
      this.pending.set(record.stream, merged);
      return null;
    }
    this.pending.delete(record.stream);
    return { time: merged.time, timeMs: Date.parse(merged.time), stream: merged.stream, text: merged.text };
  }
}

export function parseLog(text: string): LogLine[] {
  const assembler = new LogAssembler();
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    const record = parseLogRecord(raw);
    if (!record) continue;
    const line = assembler.push(record);
    if (line) lines.push(line);
  }
  return lines;
}

export interface LogQuery {
  /** Only the last N lines. */
  tail?: number;
  /** Only lines at or after this time. */
  since?: Date;
}

async function readFrom(file: string, offset: number): Promise<{ text: string; end: number }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { text: '', end: offset };
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    if (size <= offset) return { text: '', end: size < offset ? 0 : offset };
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    // only whole records: keep an unterminated tail for the next read
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) return { text: '', end: offset };
    return { text: buf.subarray(0, lastNl + 1).toString('utf8'), end: offset + lastNl + 1 };
  } finally {
    await handle.close();
  }
}

export async function readLogs(file: string, query: LogQuery = {}): Promise<LogLine[]> {
  const { text } = await readFrom(file, 0);
  let lines = parseLog(text);
  if (query.since) {
    const sinceMs = query.since.getTime();
    lines = lines.filter((l) => l.timeMs >= sinceMs);
  }
  if (query.tail !== undefined) lines = query.tail === 0 ? [] : lines.slice(-query.tail);
  return lines;
}

export interface FollowOptions extends LogQuery {
  /** Stop once this says the writer is done and everything written has been yielded. */
  isDone?: () => boolean | Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
  /** Lets the writer's owner wake the reader at once (the container exited): returns an unsubscribe. */
  onWake?: (wake: () => void) => () => void;
}

/**
 * The backlog (honouring tail/since), then new lines as they are appended, until `isDone`
 * (container exited and the file read to its end) or the signal aborts.
 */
export async function* followLogs(file: string, options: FollowOptions = {}): AsyncGenerator<LogLine> {
  const pollMs = options.pollMs ?? 250;
  const first = await readFrom(file, 0);
  let offset = first.end;
  let backlog = parseLog(first.text);
  if (options.since) backlog = backlog.filter((l) => l.timeMs >= (options.since as Date).getTime());
  if (options.tail !== undefined) backlog = options.tail === 0 ? [] : backlog.slice(-options.tail);
  yield* backlog;

  const assembler = new LogAssembler();
  let wake: (() => void) | null = null;
  // A nudge while the reader is busy must not be lost: it would sleep a whole poll.
  let pending = false;
  const nudge = () => {
    pending = true;
    wake?.();
  };
  const stopWaking = options.onWake?.(nudge);
  let watcher: ReturnType<typeof watch> | null = null;
  try {
    watcher = watch(file, nudge);
    watcher.on('error', () => undefined);
  } catch {
    watcher = null; // not there yet: the poll picks it up
  }
  options.signal?.addEventListener('abort', nudge);
  try {
    while (!options.signal?.aborted) {
      const doneBefore = options.isDone ? await options.isDone() : false;
      const chunk = await readFrom(file, offset);
      offset = chunk.end;
      for (const raw of chunk.text.split('\n')) {
        const record = parseLogRecord(raw);
        const line = record && assembler.push(record);
        if (line) yield line;
      }
      if (doneBefore && !chunk.text) return;
      if (!pending) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      wake = null;
      pending = false;
    }
  } finally {
    stopWaking?.();
    watcher?.close();
    options.signal?.removeEventListener('abort', nudge);
  }
}

export async function logSizeBytes(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
