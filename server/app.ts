import path from 'node:path';
import { AuthService } from './auth/service';
import { authMigrations } from './auth/schema';
import { openDatabase, type Db } from './db';
import type { Settings } from './settings';

/**
 * The composition root: every service the API uses, built once from the settings.
 * Lower layers get their roots and handles passed in; nothing reaches for globals.
 */
export interface Services {
  settings: Settings;
  db: Db;
  auth: AuthService;
}

export async function createServices(settings: Settings): Promise<Services & { close(): Promise<void> }> {
  const db = openDatabase(path.join(settings.CGDASH_DATA_DIR, 'cgdash.db'), [...authMigrations]);
  const auth = new AuthService(db);
  return {
    settings,
    db,
    auth,
    async close() {
      db.close();
    },
  };
}
