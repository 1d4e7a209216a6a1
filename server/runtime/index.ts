/**
 * cgdash's container engine. The server opens it once with `openEngine`; the API, CLI and UI
 * use `ContainerSpec`/`parseRunArgs` to validate what users ask for.
 */
import type { Db } from '@/server/db';
import { openCgroups } from '@/server/cgroup';
import { Engine, type EngineOptions } from './engine';
import { NetworkManager } from './network';
import type { RuntimeName } from './oci-runtime';

export { Engine } from './engine';
export type { ContainerInspect, EngineOptions, ExitStatus, LimitsUpdate, StateChange } from './engine';
export type { ContainerRecord, ContainerState, NetworkRecord } from './container-store';
export { ContainerSpec, parseContainerSpec, parseRunArgs, SpecError } from './spec';
export type { ContainerSpecInput, ContainerLimits, ContainerLimitsInput } from './spec';
export { runArgsToInput, type RunArgs } from './run-args';
export { runtimeMigrations } from './schema';
export { ImageStore, type ImageDetail, type ImageSummary } from './images/store';
export type { LogLine, LogQuery } from './logs';
export type { ContainerProcess } from './processes';
export type { NamespaceInfo } from './namespaces-info';

export interface OpenEngineSettings {
  /** CGDASH_DATA_DIR (default /var/lib/cgdash). */
  dataDir: string;
  /** Volatile state (default /run/cgdash): runc root, conmon exit files. */
  runDir: string;
  /** The server's database, migrated with `runtimeMigrations`. */
  db: Db;
  /** CGDASH_CGROUP_ROOT (default "cgdash"). */
  managedRoot: string;
  runtime?: 'auto' | RuntimeName;
  /** false: only `none`, `host` and joined network namespaces (no CNI). */
  networking?: boolean;
}

/** Open the engine with the real cgroup manager and network manager; reconciles on open. */
export async function openEngine(settings: OpenEngineSettings): Promise<{ engine: Engine; network: NetworkManager | null }> {
  const cgroups = await openCgroups({ managedRoot: settings.managedRoot });
  const network = settings.networking === false ? null : new NetworkManager({ dataDir: settings.dataDir, runDir: settings.runDir, db: settings.db });
  const options: EngineOptions = { dataDir: settings.dataDir, runDir: settings.runDir, db: settings.db, cgroups, network, runtime: settings.runtime };
  return { engine: await Engine.open(options), network };
}
