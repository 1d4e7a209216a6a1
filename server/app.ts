import path from 'node:path';
import { AuthService } from './auth/service';
import { authMigrations } from './auth/schema';
import { openCgroups, type CgroupManager } from './cgroup';
import { openDatabase, type Db } from './db';
import { HostInfo } from './host';
import { Monitor, monitorMigrations } from './monitor';
import { netnsMigrations } from './netns/schema';
import { NetnsService } from './netns/service';
import { ProcessSampler } from './procfs';
import { tenantMigrations } from './tenants/schema';
import { TenantService } from './tenants/service';
import { ContainerService } from './containers/service';
import { containerServiceMigrations } from './containers/schema';
import { Engine, runtimeMigrations } from './runtime';
import { NetworkManager } from './runtime/network';
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
  tenants: TenantService;
  monitor: Monitor;
  engine: Engine;
  network: NetworkManager;
  containers: ContainerService;
}

export async function createServices(settings: Settings): Promise<Services & { close(): Promise<void> }> {
  const db = openDatabase(path.join(settings.CGDASH_DATA_DIR, 'cgdash.db'), [
    ...authMigrations,
    ...netnsMigrations,
    ...tenantMigrations,
    ...monitorMigrations,
    ...runtimeMigrations,
    ...containerServiceMigrations,
  ]);
  const auth = new AuthService(db);
  const cgroups = await openCgroups({ managedRoot: settings.CGDASH_CGROUP_ROOT });
  if (!settings.readOnlyReason) await cgroups.ensureManagedRoot();
  const host = new HostInfo();
  const tenants = new TenantService({
    db,
    cgroups,
    capacity: async () => {
      const facts = await host.facts();
      return { memoryBytes: facts.memory.totalBytes, cpus: facts.cpu.cores };
    },
  });
  const monitor = new Monitor({ cgroups, db }, { intervalMs: settings.CGDASH_SAMPLE_INTERVAL_MS, log: (m) => console.log(m) });
  const network = new NetworkManager({
    dataDir: settings.CGDASH_DATA_DIR,
    runDir: settings.CGDASH_RUN_DIR,
    db,
    defaultNetwork: { bridge: settings.CGDASH_NETWORK_BRIDGE, subnet: settings.CGDASH_NETWORK_SUBNET },
    subnetPool: settings.CGDASH_NETWORK_POOL,
  });
  // Containers outlive the server: opening the engine reconciles its records with runc and
  // conmon and reports what changed while the server was away.
  const engine = await Engine.open({ dataDir: settings.CGDASH_DATA_DIR, runDir: settings.CGDASH_RUN_DIR, db, cgroups, network, runtime: settings.CGDASH_RUNTIME });
  tenants.attachContainers({
    of: (tenant) => engine.list({ all: true, tenant }).map((c) => ({ id: c.id, name: c.name })),
    remove: (id) => engine.remove(id, { force: true }),
  });
  const containers = new ContainerService(engine, tenants, db);
  return {
    settings,
    db,
    auth,
    cgroups,
    host,
    tenants,
    engine,
    network,
    containers,
    monitor,
    netns: new NetnsService(db),
    processSampler: new ProcessSampler(),
    async close() {
      await monitor.stop();
      engine.close();
      network.close();
      db.close();
    },
  };
}
