/**
 * The settings of a throw-away cgdash instance for tests (API-only integration tests and the
 * Playwright server): its own data and run directories, managed cgroup root, default bridge
 * and subnet, so nothing it makes can meet a real installation or another test run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exec } from '../lib/exec';
import { unmountAllUnder } from '../runtime/images/rootfs';
import { restoreHostNet, snapshotHostNet, type HostNetSnapshot } from '../runtime/network/testing';

export interface TestInstance {
  suffix: string;
  dataDir: string;
  runDir: string;
  cgroupRoot: string;
  bridge: string;
  subnet: string;
  pool: string;
  /** The environment a cgdash server process needs to be this instance. */
  env: Record<string, string>;
  /** Host-wide network state before the run (shared CNI chains, ip_forward), put back after. */
  hostNet: HostNetSnapshot;
}

export async function testInstance(): Promise<TestInstance> {
  const suffix = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cgdash-test-data-'));
  const runDir = `/run/cgdash-test-${suffix}`;
  const cgroupRoot = `cgdash-test-${suffix}`;
  // 10.200.0.0 - 10.249.255.255: far from the 10.89/16 a real installation uses by default.
  const a = 200 + (parseInt(suffix.slice(0, 2), 16) % 50);
  const b = parseInt(suffix.slice(2, 4), 16);
  const bridge = `cgdt${suffix.slice(0, 6)}`;
  const subnet = `10.${a}.${b}.0/24`;
  const pool = `10.${a}.0.0/16`;
  return {
    suffix,
    dataDir,
    runDir,
    cgroupRoot,
    bridge,
    subnet,
    pool,
    env: {
      CGDASH_DATA_DIR: dataDir,
      CGDASH_RUN_DIR: runDir,
      CGDASH_CGROUP_ROOT: cgroupRoot,
      CGDASH_NETWORK_BRIDGE: bridge,
      CGDASH_NETWORK_SUBNET: subnet,
      CGDASH_NETWORK_POOL: pool,
    },
    hostNet: await snapshotHostNet(),
  };
}

/** Remove what the instance left on the host besides its cgroups: bridges, directories. */
export async function removeTestInstance(i: Pick<TestInstance, 'dataDir' | 'runDir' | 'bridge' | 'hostNet'>): Promise<void> {
  // The default network's bridge outlives its containers by design; networks a test creates
  // itself it also removes (and the network module deletes their bridges).
  const links = await exec('ip', ['-o', 'link', 'show', 'type', 'bridge']);
  const names = links.stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter((n): n is string => !!n);
  for (const name of names.filter((n) => n === i.bridge)) await exec('ip', ['link', 'delete', name]);
  // Shared CNI chains the run's containers brought (and nobody uses now), and ip_forward.
  await restoreHostNet(i.hostNet);
  // Container rootfs overlays of containers a failed test left (the engine unmounts its own).
  await unmountAllUnder(i.dataDir);
  await rm(i.dataDir, { recursive: true, force: true });
  await rm(i.runDir, { recursive: true, force: true });
}
