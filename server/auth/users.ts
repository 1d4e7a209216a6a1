import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import type { Role } from './principal';

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  tenant: string | null;
  password_hash: string | null;
  disabled: number;
  created_at: number;
}

export interface User {
  id: number;
  name: string;
  role: Role;
  tenant: string | null;
  hasPassword: boolean;
  disabled: boolean;
  createdAt: number;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tenant: row.tenant,
    hasPassword: row.password_hash !== null,
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
  };
}

export const userNamePattern = /^[a-z_][a-z0-9_.-]{0,31}$/i;

export class UserStore {
  constructor(private readonly db: Db) {}

  create(input: { name: string; role: Role; tenant?: string | null; passwordHash?: string | null }): User {
    if (!userNamePattern.test(input.name)) {
      throw new CgdashError('invalid', 'user name: letters, digits, "_", "." and "-", up to 32, starting with a letter', { field: 'name' });
    }
    try {
      const info = this.db
        .prepare('INSERT INTO users (name, role, tenant, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(input.name, input.role, input.tenant ?? null, input.passwordHash ?? null, Date.now());
      return this.byId(Number(info.lastInsertRowid))!;
    } catch (err) {
      if (String(err).includes('UNIQUE')) {
        throw new CgdashError('conflict', `a user named "${input.name}" already exists`, { field: 'name' });
      }
      throw err;
    }
  }

  row(id: number): UserRow | undefined {
    return this.db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?').get(id);
  }

  rowByName(name: string): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ?').get(name);
  }

  byId(id: number): User | undefined {
    const row = this.row(id);
    return row && toUser(row);
  }

  list(): User[] {
    return this.db.prepare<[], UserRow>('SELECT * FROM users ORDER BY name').all().map(toUser);
  }

  setPasswordHash(id: number, hash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, id);
  }

  setDisabled(id: number, disabled: boolean): void {
    this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  firstAdmin(): User | undefined {
    const row = this.db
      .prepare<[], UserRow>("SELECT * FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id LIMIT 1")
      .get();
    return row && toUser(row);
  }
}
