import type { Db } from '../db';
import { hashSecret, newSecret } from './secrets';

/** Sessions last 12 hours from the last request (sliding), at most 7 days in all. */
const idleMs = 12 * 60 * 60 * 1000;
const absoluteMs = 7 * 24 * 60 * 60 * 1000;

interface SessionRow {
  id_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_seen: number;
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  /** Returns the secret for the cookie; only its hash is stored. */
  create(userId: number, meta: { ip?: string; userAgent?: string }): string {
    const secret = newSecret('s_');
    const now = Date.now();
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hashSecret(secret), userId, now, now + idleMs, now, meta.ip ?? null, meta.userAgent?.slice(0, 256) ?? null);
    return secret;
  }

  /** The user id of a live session, sliding its expiry; undefined when unknown or expired. */
  lookup(secret: string): number | undefined {
    const idHash = hashSecret(secret);
    const row = this.db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_hash = ?').get(idHash);
    if (!row) return undefined;
    const now = Date.now();
    if (row.expires_at < now || row.created_at + absoluteMs < now) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
      return undefined;
    }
    // Write at most once a minute: a page load makes many requests.
    if (now - row.last_seen > 60_000) {
      this.db.prepare('UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id_hash = ?').run(now, now + idleMs, idHash);
    }
    return row.user_id;
  }

  destroy(secret: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashSecret(secret));
  }

  destroyAllFor(userId: number): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  purgeExpired(): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now());
  }
}
