/**
 * Stable numeric ids for cgroup refs: the sampler's keys and the rollups' key column. Kept in
 * SQLite so that a cgroup has the same id after a restart and its rollups can be found again.
 */
import type { Db } from '@/server/db';

export class KeyStore {
  private readonly byRef = new Map<string, number>();
  private readonly refById = new Map<number, string>();
  private readonly insert;
  private readonly touch;

  constructor(private readonly db: Db) {
    for (const r of db.prepare<[], { id: number; ref: string }>('SELECT id, ref FROM monitor_keys').all()) {
      this.byRef.set(r.ref, r.id);
      this.refById.set(r.id, r.ref);
    }
    this.insert = db.prepare<[string, number, number], { id: number }>(
      'INSERT INTO monitor_keys (ref, first_seen, last_seen) VALUES (?, ?, ?) RETURNING id',
    );
    this.touch = db.prepare('UPDATE monitor_keys SET last_seen = ? WHERE id = ?');
  }

  /** The id of a ref, made on first sight. */
  idOf(ref: string, nowMs = Date.now()): number {
    const known = this.byRef.get(ref);
    if (known !== undefined) return known;
    const row = this.insert.get(ref, nowMs, nowMs);
    if (!row) throw new Error(`monitor_keys: no id for ${ref}`);
    this.byRef.set(ref, row.id);
    this.refById.set(row.id, ref);
    return row.id;
  }

  /** The id of a ref if it was ever seen. */
  find(ref: string): number | undefined {
    return this.byRef.get(ref);
  }

  refOf(id: number): string | undefined {
    return this.refById.get(id);
  }

  /** Record that these ids were seen now (one transaction). */
  markSeen(ids: readonly number[], nowMs = Date.now()): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      for (const id of ids) this.touch.run(nowMs, id);
    })();
  }

  /** Forget refs not seen since `beforeMs` (their rollups are past retention too). */
  pruneUnseen(beforeMs: number): number {
    const gone = this.db.prepare<[number], { id: number; ref: string }>('SELECT id, ref FROM monitor_keys WHERE last_seen < ?').all(beforeMs);
    if (gone.length === 0) return 0;
    const delKey = this.db.prepare('DELETE FROM monitor_keys WHERE id = ?');
    const delRows = this.db.prepare('DELETE FROM monitor_rollups WHERE key_id = ?');
    this.db.transaction(() => {
      for (const g of gone) {
        delRows.run(g.id);
        delKey.run(g.id);
      }
    })();
    for (const g of gone) {
      this.byRef.delete(g.ref);
      this.refById.delete(g.id);
    }
    return gone.length;
  }
}
