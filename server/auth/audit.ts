import type { Db } from '../db';

export interface AuditEntry {
  id: number;
  at: number;
  userId: number | null;
  userName: string | null;
  action: string;
  target: string | null;
  params: unknown;
  ip: string | null;
  result: 'ok' | 'error' | 'denied';
  message: string | null;
}

export interface AuditFilter {
  user?: string;
  action?: string;
  result?: AuditEntry['result'];
  since?: number;
  until?: number;
  /** Entries with id below this (paging backwards). */
  beforeId?: number;
  limit?: number;
}

interface AuditRow {
  id: number;
  at: number;
  user_id: number | null;
  user_name: string | null;
  action: string;
  target: string | null;
  params: string | null;
  ip: string | null;
  result: AuditEntry['result'];
  message: string | null;
}

/** Secrets never reach the log, whatever procedure the params came from. */
const secretKeys = /pass(word)?|secret|token/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, secretKeys.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: number }): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, user_id, user_name, action, target, params, ip, result, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.at ?? Date.now(),
        entry.userId,
        entry.userName,
        entry.action,
        entry.target,
        entry.params === undefined ? null : JSON.stringify(redact(entry.params)),
        entry.ip,
        entry.result,
        entry.message?.slice(0, 2000) ?? null,
      );
  }

  list(filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.user) { where.push('user_name = ?'); args.push(filter.user); }
    if (filter.action) { where.push('action LIKE ?'); args.push(`${filter.action}%`); }
    if (filter.result) { where.push('result = ?'); args.push(filter.result); }
    if (filter.since !== undefined) { where.push('at >= ?'); args.push(filter.since); }
    if (filter.until !== undefined) { where.push('at < ?'); args.push(filter.until); }
    if (filter.beforeId !== undefined) { where.push('id < ?'); args.push(filter.beforeId); }
    const limit = Math.min(filter.limit ?? 200, 10_000);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return this.db.prepare<(string | number)[], AuditRow>(sql).all(...args).map((row) => ({
      id: row.id,
      at: row.at,
      userId: row.user_id,
      userName: row.user_name,
      action: row.action,
      target: row.target,
      params: row.params === null ? null : (JSON.parse(row.params) as unknown),
      ip: row.ip,
      result: row.result,
      message: row.message,
    }));
  }
}
