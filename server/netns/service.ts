import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import { addNetns, deleteNetns, listNetns, netnsExists, validateNetnsName, type NamedNetns } from '../namespaces';

export interface NetnsEntry extends NamedNetns {
  /** cgdash made it (and may delete it without asking). */
  owned: boolean;
}

/**
 * Named network namespaces with a memory of which ones cgdash made: those may be deleted;
 * deleting anyone else's needs the admin's explicit confirmation.
 */
export class NetnsService {
  constructor(private readonly db: Db) {}

  private ownedNames(): Set<string> {
    return new Set(this.db.prepare<[], { name: string }>('SELECT name FROM netns_owned').all().map((r) => r.name));
  }

  async list(): Promise<NetnsEntry[]> {
    const owned = this.ownedNames();
    return (await listNetns()).map((n) => ({ ...n, owned: owned.has(n.name) }));
  }

  async add(name: string, by: string): Promise<void> {
    validateNetnsName(name);
    await addNetns(name);
    this.db.prepare('INSERT OR REPLACE INTO netns_owned (name, created_at, created_by) VALUES (?, ?, ?)').run(name, Date.now(), by);
  }

  async remove(name: string, opts: { allowUnmanaged?: boolean } = {}): Promise<void> {
    validateNetnsName(name);
    const owned = this.ownedNames().has(name);
    if (!(await netnsExists(name))) {
      if (owned) this.forget(name);
      throw new CgdashError('not_found', `no network namespace named "${name}"`, { field: 'name' });
    }
    if (!owned && !opts.allowUnmanaged) {
      throw new CgdashError('forbidden', `network namespace "${name}" was not created by cgdash; confirm to delete it anyway`, { field: 'name' });
    }
    await deleteNetns(name);
    this.forget(name);
  }

  private forget(name: string): void {
    this.db.prepare('DELETE FROM netns_owned WHERE name = ?').run(name);
  }
}
