/**
 * The server under test: the built bundle (dist/server/main.mjs) as a throw-away instance
 * (server/testing/instance.ts: its own data and run dirs, cgroup root, bridge and subnet) on
 * a free port, so nothing the specs make can touch a real installation or another run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testInstance, type TestInstance } from '../server/testing/instance';
import { waitForReady } from '../server/testing/serverProcess';

export interface E2EState {
  url: string;
  pid: number;
  instance: TestInstance;
  dataDir: string;
  runDir: string;
  cgroupRoot: string;
  adminToken: string;
  adminPassword: string;
  /** The managed root's directory in every hierarchy, as the server resolved it. */
  managedRootDirs: string[];
}

/** One state file per run (global setup sets it): parallel runs must not share one. */
export function stateFile(): string {
  return process.env.CGDASH_E2E_STATE ?? path.join(os.tmpdir(), `cgdash-e2e-${process.pid}.json`);
}

export function readState(): E2EState {
  return JSON.parse(readFileSync(stateFile(), 'utf8')) as E2EState;
}

export function writeState(state: E2EState): void {
  writeFileSync(stateFile(), JSON.stringify(state));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startServer(): Promise<{ state: E2EState; child: ChildProcess; loginUrl: string }> {
  const instance = await testInstance();
  const adminToken = `cgd_e2e_${randomBytes(24).toString('base64url')}`;
  const child = spawn(process.execPath, ['dist/server/main.mjs'], {
    env: { ...process.env, ...instance.env, PORT: String(await freePort()), HOST: '127.0.0.1', CGDASH_ADMIN_TOKEN: adminToken, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = await waitForReady(child, /(http:\/\/\S+\/login\?token=\S+)/, 90_000);
  const loginUrl = ready.match[1]!;
  if (process.env.CGDASH_E2E_VERBOSE) child.stdout?.on('data', (b: Buffer) => process.stdout.write(b));
  const state: E2EState = {
    url: new URL(loginUrl).origin,
    pid: child.pid!,
    instance,
    dataDir: instance.dataDir,
    runDir: instance.runDir,
    cgroupRoot: instance.cgroupRoot,
    adminToken,
    adminPassword: `e2e-${randomBytes(8).toString('hex')}`,
    managedRootDirs: [],
  };
  return { state, child, loginUrl };
}

export function removeFile(file: string) {
  rmSync(file, { force: true });
}
