import { describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Migration } from './index';

describe('migrations', () => {
  it('applies each step once, in order, and records it', () => {
    const calls: string[] = [];
    const steps: Migration[] = [
      { id: 't/001', up: (db) => { calls.push('1'); db.exec('CREATE TABLE a (x INTEGER)'); } },
      { id: 't/002', up: (db) => { calls.push('2'); db.exec('ALTER TABLE a ADD COLUMN y TEXT'); } },
    ];
    const db = openDatabase(':memory:', steps);
    migrate(db, steps);
    expect(calls).toEqual(['1', '2']);
    db.prepare('INSERT INTO a (x, y) VALUES (1, ?)').run('ok');
    expect(db.prepare('SELECT y FROM a').get()).toEqual({ y: 'ok' });
  });

  it('rolls a failed step back whole', () => {
    const steps: Migration[] = [
      { id: 't/001', up: (db) => { db.exec('CREATE TABLE a (x INTEGER)'); throw new Error('boom'); } },
    ];
    const db = openDatabase(':memory:', []);
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    expect(db.prepare('SELECT id FROM schema_migrations').all()).toEqual([]);
  });
});
