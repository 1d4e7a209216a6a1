import type { Migration } from '../db';

export const netnsMigrations: Migration[] = [
  {
    id: 'netns/001-owned',
    up: (db) => db.exec('CREATE TABLE netns_owned (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, created_by TEXT)'),
  },
];
