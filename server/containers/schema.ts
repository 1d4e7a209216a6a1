import type { Migration } from '../db';

export const containerServiceMigrations: Migration[] = [
  {
    // Which tenant imported or committed an image: a tenant member sees only those (and busybox).
    id: 'containers/001-image-owners',
    up: (db) => db.exec('CREATE TABLE image_owners (ref TEXT PRIMARY KEY, tenant TEXT, owner TEXT NOT NULL, at INTEGER NOT NULL)'),
  },
];
