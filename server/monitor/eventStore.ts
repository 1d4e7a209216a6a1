/**
 * Events in SQLite, bounded to the newest `maxEvents`, listed with filters and streamed live.
 * The row id is the event id, the SSE id, and the resume point.
 */
import type { Db } from '@/server/db';
import { Channel, resumable } from './channel';
import type { MonitorEvent, MonitorEventType, NewMonitorEvent } from './events';

export interface EventFilter {
  types?: readonly MonitorEventType[];
  /** Exact ref, or a prefix when it ends with "/" ("containers/" = everything below). */
  ref?: string;
  /** Epoch ms. */
  since?: number;
}

export interface EventPage {
  events: MonitorEvent[];
  /** Pass as `beforeId` for the next (older) page; null when there is none. */
  nextBeforeId: number | null;
}

interface Row {
  id: number;
  at: number;
  type: string;
  severity: string;
  ref: string;
  name: string | null;
  message: string;
  details: string | null;
  actor: string | null;
}

function fromRow(r: Row): MonitorEvent {
  return {
    id: r.id,
    at: r.at,
    type: r.type as MonitorEventType,
    severity: r.severity as MonitorEvent['severity'],
    ref: r.ref,
    name: r.name,
    message: r.message,
    details: r.details ? (JSON.parse(r.details) as MonitorEvent['details']) : null,
    actor: r.actor,
  };
}

export function matches(e: MonitorEvent, f: EventFilter): boolean {
  if (f.types && f.types.length > 0 && !f.types.includes(e.type)) return false;
  if (f.since !== undefined && e.at < f.since) return false;
  if (f.ref !== undefined && f.ref !== '') {
    if (f.ref.endsWith('/') ? !e.ref.startsWith(f.ref) && `${e.ref}/` !== f.ref : e.ref !== f.ref) return false;
  }
  return true;
}

function where(f: EventFilter, beforeId: number | null, afterId: number | null): { sql: string; args: (string | number)[] } {
  const parts: string[] = [];
  const args: (string | number)[] = [];
  if (f.types && f.types.length > 0) {
    parts.push(`type IN (${f.types.map(() => '?').join(', ')})`);
    args.push(...f.types);
  }
  if (f.ref !== undefined && f.ref !== '') {
    if (f.ref.endsWith('/')) {
      // A prefix without LIKE's wildcards: the ref itself, or anything below it.
      parts.push('(ref = ? OR substr(ref, 1, ?) = ?)');
      args.push(f.ref.slice(0, -1), f.ref.length, f.ref);
    } else {
      parts.push('ref = ?');
      args.push(f.ref);
    }
  }
  if (f.since !== undefined) {
    parts.push('at >= ?');
    args.push(f.since);
  }
  if (beforeId !== null) {
    parts.push('id < ?');
    args.push(beforeId);
  }
  if (afterId !== null) {
    parts.push('id > ?');
    args.push(afterId);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export class EventStore {
  readonly channel = new Channel<MonitorEvent>(64);
  private readonly insert;
  private sincePrune = 0;

  constructor(
    private readonly db: Db,
    private readonly maxEvents = 20_000,
  ) {
    this.insert = db.prepare<[number, string, string, string, string | null, string, string | null, string | null], { id: number }>(
      'INSERT INTO monitor_events (at, type, severity, ref, name, message, details, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    );
  }

  /** Store events (one transaction) and publish them to live subscribers. */
  add(events: readonly NewMonitorEvent[]): MonitorEvent[] {
    if (events.length === 0) return [];
    const stored: MonitorEvent[] = [];
    this.db.transaction(() => {
      for (const e of events) {
        const row = this.insert.get(e.at, e.type, e.severity, e.ref, e.name, e.message, e.details ? JSON.stringify(e.details) : null, e.actor);
        if (row) stored.push({ ...e, id: row.id });
      }
    })();
    for (const e of stored) this.channel.publish(e);
    this.sincePrune += stored.length;
    if (this.sincePrune >= 500) this.prune();
    return stored;
  }

  /** Keep the newest `maxEvents`. */
  prune(): number {
    this.sincePrune = 0;
    const newest = this.db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM monitor_events').get()?.id ?? null;
    if (newest === null) return 0;
    return this.db.prepare('DELETE FROM monitor_events WHERE id <= ?').run(newest - this.maxEvents).changes;
  }

  /** Newest first, `limit` at most, older than `beforeId` when given. */
  list(filter: EventFilter, limit = 100, beforeId: number | null = null): EventPage {
    const w = where(filter, beforeId, null);
    const rows = this.db.prepare<(string | number)[], Row>(`SELECT * FROM monitor_events ${w.sql} ORDER BY id DESC LIMIT ?`).all(...w.args, limit + 1);
    const events = rows.slice(0, limit).map(fromRow);
    return { events, nextBeforeId: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
  }

  /** Events after `afterId`, oldest first (a resuming stream's backlog). */
  after(filter: EventFilter, afterId: number, limit = 500): MonitorEvent[] {
    const w = where(filter, null, afterId);
    return this.db.prepare<(string | number)[], Row>(`SELECT * FROM monitor_events ${w.sql} ORDER BY id ASC LIMIT ?`).all(...w.args, limit).map(fromRow);
  }

  /** Live events matching `filter`, resuming after `afterId` without gap or duplicate. */
  stream(filter: EventFilter, afterId: number | null, signal?: AbortSignal): AsyncGenerator<MonitorEvent, void, undefined> {
    return resumable({
      channel: this.channel,
      filter: (e) => matches(e, filter),
      backlog: (after) => (after === null ? [] : this.after(filter, after)),
      idOf: (e) => e.id,
      afterId,
      signal,
    });
  }
}
