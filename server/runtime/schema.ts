import type { Migration } from '@/server/db';

/** The engine's tables. Times are milliseconds since the epoch. */
export const runtimeMigrations: Migration[] = [
  {
    id: 'runtime/001-containers',
    up: (db) => {
      db.exec(`
        CREATE TABLE runtime_containers (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          spec TEXT NOT NULL,
          image_ref TEXT NOT NULL,
          image_digest TEXT NOT NULL,
          state TEXT NOT NULL,
          pid INTEGER,
          conmon_pid INTEGER,
          exit_code INTEGER,
          oom_killed INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER,
          restart_count INTEGER NOT NULL DEFAULT 0,
          stopped_by_user INTEGER NOT NULL DEFAULT 0,
          tenant TEXT,
          cgroup_ref TEXT NOT NULL,
          network TEXT,
          error TEXT
        );
        CREATE INDEX runtime_containers_state ON runtime_containers(state);
        CREATE INDEX runtime_containers_tenant ON runtime_containers(tenant);
      `);
    },
  },
];
