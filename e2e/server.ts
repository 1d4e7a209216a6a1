/**
 * The server under test: the built bundle (dist/server/main.mjs), a throw-away data dir, and a
 * fresh managed cgroup root so nothing the specs make can touch a real installation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface E2EState {
  url: string;
  pid: number;
  dataDir: string;
  runDir: string;
  cgroupRoot: string;
  adminToken: string;
  adminPassword: string;
}

export const stateFile = path.join(os.tmpdir(), 'cgdash-e2e-state.json');

export function readState(): E2EState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as E2EState;
}

export async function startServer(port = 3199): Promise<{ state: E2EState; child: ChildProcess; loginUrl: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cgdash-test-e2e-'));
  const suffix = randomBytes(4).toString('hex');
  const runDir = `/run/cgdash-test-${suffix}`;
  const cgroupRoot = `cgdash-test-${suffix}`;
  const adminToken = `cgd_e2e_${randomBytes(24).toString('base64url')}`;
  const child = spawn(process.execPath, ['dist/server/main.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CGDASH_DATA_DIR: dataDir,
      CGDASH_RUN_DIR: runDir,
      CGDASH_CGROUP_ROOT: cgroupRoot,
      CGDASH_ADMIN_TOKEN: adminToken,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = () => {
      const m = /(http:\/\/\S+\/login\?token=\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const url = new URL(loginUrl).origin;
  const state: E2EState = { url, pid: child.pid!, dataDir, runDir, cgroupRoot, adminToken, adminPassword: `e2e-${randomBytes(8).toString('hex')}` };
  writeFileSync(stateFile, JSON.stringify(state));
  // Keep the server's log for a failing run.
  child.stdout?.on('data', (b: Buffer) => process.env.CGDASH_E2E_VERBOSE && process.stdout.write(b));
  return { state, child, loginUrl };
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}
