import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import { hashSecret, newSecret } from './secrets';

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  /** First characters of the secret, enough to recognise it in a list. */
  prefix: string;
  createdAt: number;
  lastUsed: number | null;
  revokedAt: number | null;
}

interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  created_at: number;
  last_used: number | null;
  revoked_at: number | null;
}

function toToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsed: row.last_used,
    revokedAt: row.revoked_at,
  };
}

export class ApiTokenStore {
  constructor(private readonly db: Db) {}

  /** Creates a token and returns its secret: shown once, stored only as a hash. */
  create(userId: number, name: string, secret: string = newSecret()): { token: ApiToken; secret: string } {
    const info = this.db
      .prepare('INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(userId, name, hashSecret(secret), secret.slice(0, 8), Date.now());
    return { token: this.byId(Number(info.lastInsertRowid))!, secret };
  }

  byId(id: number): ApiToken | undefined {
    const row = this.db.prepare<[number], TokenRow>('SELECT * FROM api_tokens WHERE id = ?').get(id);
    return row && toToken(row);
  }

  listFor(userId: number): ApiToken[] {
    return this.db
      .prepare<[number], TokenRow>('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC')
      .all(userId)
      .map(toToken);
  }

  /** The token's id and user for a live (unrevoked) secret. */
  lookup(secret: string): { id: number; userId: number } | undefined {
    const row = this.db
      .prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL')
      .get(hashSecret(secret));
    if (!row) return undefined;
    const now = Date.now();
    if (!row.last_used || now - row.last_used > 60_000) {
      this.db.prepare('UPDATE api_tokens SET last_used = ? WHERE id = ?').run(now, row.id);
    }
    return { id: row.id, userId: row.user_id };
  }

  revoke(id: number, userId?: number): void {
    const token = this.byId(id);
    if (!token || (userId !== undefined && token.userId !== userId)) {
      throw new CgdashError('not_found', `no API token with id ${id}`);
    }
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
  }

  revokeAllFor(userId: number): void {
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(Date.now(), userId);
  }

  /**
   * Make `secret` a live token of the user under `name`, revoking an older token of that name
   * whose secret differs (CGDASH_ADMIN_TOKEN changed between starts).
   */
  ensurePreset(userId: number, name: string, secret: string): void {
    const hash = hashSecret(secret);
    const existing = this.db
      .prepare<[number, string], TokenRow & { token_hash: string }>(
        'SELECT * FROM api_tokens WHERE user_id = ? AND name = ? AND revoked_at IS NULL',
      )
      .all(userId, name);
    let present = false;
    for (const row of existing) {
      if (row.token_hash === hash) present = true;
      else this.revoke(row.id);
    }
    if (!present) {
      // The same secret may exist revoked: reuse is refused by the UNIQUE hash, so un-revoke it.
      const revoked = this.db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?').get(hash);
      if (revoked) this.db.prepare('UPDATE api_tokens SET revoked_at = NULL, user_id = ?, name = ? WHERE id = ?').run(userId, name, revoked.id);
      else this.create(userId, name, secret);
    }
  }
}
