import type { Migration } from '../db';

export const authMigrations: Migration[] = [
  {
    id: 'auth/001-users-sessions-tokens-audit',
    up: (db) => {
      db.exec(`
        CREATE TABLE users (
          id            INTEGER PRIMARY KEY,
          name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
          role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
          tenant        TEXT,
          password_hash TEXT,
          disabled      INTEGER NOT NULL DEFAULT 0,
          created_at    INTEGER NOT NULL
        );
        CREATE TABLE sessions (
          id_hash     TEXT PRIMARY KEY,
          user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          last_seen   INTEGER NOT NULL,
          ip          TEXT,
          user_agent  TEXT
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE api_tokens (
          id          INTEGER PRIMARY KEY,
          user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          name        TEXT NOT NULL,
          token_hash  TEXT NOT NULL UNIQUE,
          prefix      TEXT NOT NULL,
          created_at  INTEGER NOT NULL,
          last_used   INTEGER,
          revoked_at  INTEGER
        );
        CREATE TABLE login_links (
          token_hash  TEXT PRIMARY KEY,
          user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          used_at     INTEGER
        );
        CREATE TABLE audit_log (
          id        INTEGER PRIMARY KEY,
          at        INTEGER NOT NULL,
          user_id   INTEGER,
          user_name TEXT,
          action    TEXT NOT NULL,
          target    TEXT,
          params    TEXT,
          ip        TEXT,
          result    TEXT NOT NULL CHECK (result IN ('ok', 'error', 'denied')),
          message   TEXT
        );
        CREATE INDEX audit_at ON audit_log(at);
      `);
    },
  },
];
