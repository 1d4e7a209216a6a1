import type { Migration } from '../db';

export const tenantMigrations: Migration[] = [
  {
    id: 'tenants/001-tenants',
    up: (db) =>
      db.exec(`
        CREATE TABLE tenants (
          name          TEXT PRIMARY KEY,
          display_name  TEXT,
          limits        TEXT NOT NULL,
          cpuset_exclusive INTEGER NOT NULL DEFAULT 0,
          net_ingress_bps INTEGER,
          net_egress_bps  INTEGER,
          uid_base      INTEGER NOT NULL UNIQUE,
          uid_count     INTEGER NOT NULL,
          created_at    INTEGER NOT NULL
        );
      `),
  },
];
