import type { Migration } from '@/server/db';

/** The monitor's tables: stable ids for cgroup refs, minute rollups, events. */
export const monitorMigrations: Migration[] = [
  {
    id: 'monitor/001-keys-rollups',
    up: (db) =>
      db.exec(`
        CREATE TABLE monitor_keys (
          id INTEGER PRIMARY KEY,
          ref TEXT NOT NULL UNIQUE,
          first_seen INTEGER NOT NULL,
          last_seen INTEGER NOT NULL
        );
        CREATE TABLE monitor_rollups (
          key_id INTEGER NOT NULL,
          minute INTEGER NOT NULL,
          data BLOB NOT NULL,
          PRIMARY KEY (key_id, minute)
        ) WITHOUT ROWID;
      `),
  },
  {
    id: 'monitor/002-events',
    up: (db) =>
      db.exec(`
        CREATE TABLE monitor_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          type TEXT NOT NULL,
          severity TEXT NOT NULL,
          ref TEXT NOT NULL,
          name TEXT,
          message TEXT NOT NULL,
          details TEXT,
          actor TEXT
        );
        CREATE INDEX monitor_events_type ON monitor_events (type, id);
        CREATE INDEX monitor_events_ref ON monitor_events (ref, id);
      `),
  },
];
