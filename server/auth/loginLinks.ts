import type { Db } from '../db';
import { hashSecret, newSecret } from './secrets';

/** One-time login links, as Jupyter prints at first start. */
export class LoginLinkStore {
  constructor(private readonly db: Db) {}

  create(userId: number, ttlMs = 24 * 60 * 60 * 1000): string {
    const secret = newSecret('l_');
    const now = Date.now();
    this.db
      .prepare('INSERT INTO login_links (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashSecret(secret), userId, now, now + ttlMs);
    return secret;
  }

  /** The user id if the link is live; the link is spent either way. */
  consume(secret: string): number | undefined {
    const hash = hashSecret(secret);
    const row = this.db
      .prepare<[string], { user_id: number; expires_at: number; used_at: number | null }>(
        'SELECT user_id, expires_at, used_at FROM login_links WHERE token_hash = ?',
      )
      .get(hash);
    if (!row || row.used_at !== null || row.expires_at < Date.now()) return undefined;
    this.db.prepare('UPDATE login_links SET used_at = ? WHERE token_hash = ?').run(Date.now(), hash);
    return row.user_id;
  }
}
