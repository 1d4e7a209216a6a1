import path from 'node:path';
import { AuthService } from './auth/service';
import { authMigrations } from './auth/schema';
import { openCgroups, type CgroupManager } from './cgroup';
import { openDatabase, type Db } from './db';
import { HostInfo } from './host';
import { netnsMigrations } from './netns/schema';
import { NetnsService } from './netns/service';
import { ProcessSampler } from './procfs';
import type { Settings } from './settings';

/**
 * The composition root: every service the API uses, built once from the settings.
 * Lower layers get their roots and handles passed in; nothing reaches for globals.
 */
export interface Services {
  settings: Settings;
  db: Db;
  auth: AuthService;
  cgroups: CgroupManager;
  host: HostInfo;
  netns: NetnsService;
  processSampler: ProcessSampler;
}

export async function createServices(settings: Settings): Promise<Services & { close(): Promise<void> }> {
  const db = openDatabase(path.join(settings.CGDASH_DATA_DIR, 'cgdash.db'), [...authMigrations, ...netnsMigrations]);
  const auth = new AuthService(db);
  const cgroups = await openCgroups({ managedRoot: settings.CGDASH_CGROUP_ROOT });
  if (!settings.readOnlyReason) await cgroups.ensureManagedRoot();
  return {
    settings,
    db,
    auth,
    cgroups,
    host: new HostInfo(),
    netns: new NetnsService(db),
    processSampler: new ProcessSampler(),
    async close() {
      db.close();
    },
  };
}
