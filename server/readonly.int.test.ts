/**
 * Not root: the server still starts, shows everything, changes nothing and says why. The real
 * server process runs as uid 65534 (nobody) against the real cgroupfs and /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups } from './cgroup';
import { dirOf } from './cgroup/mounts';
import { callProcedure } from './testing/http';
import { waitForReady } from './testing/serverProcess';

const NOBODY = 65534;
const cgroupRoot = `cgdash-test-ro-${randomBytes(4).toString('hex')}`;
const adminToken = `cgd_test_${randomBytes(24).toString('base64url')}`;
let dataDir = '';
let child: ChildProcess | null = null;
let url = '';
let reason = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-data-'));
  await chown(dataDir, NOBODY, NOBODY);
  const tsx = path.resolve('node_modules/.bin/tsx');
  child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', tsx, 'server/testing/readOnlyMain.ts'], {
    env: {
      NODE_ENV: 'production',
      PATH: process.env.PATH,
      HOME: dataDir,
      CGDASH_DATA_DIR: dataDir,
      CGDASH_RUN_DIR: path.join(dataDir, 'run'),
      CGDASH_CGROUP_ROOT: cgroupRoot,
      CGDASH_ADMIN_TOKEN: adminToken,
      CGDASH_NETWORK_BRIDGE: 'cgdt-ro-none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // tsx runs the server in a child node process: a group of its own, so all of it can be stopped.
    detached: true,
  });
  const ready = await waitForReady(child, /^(\{.*\})$/m, 50_000);
  const started = JSON.parse(ready.match[1]!) as { url: string; readOnlyReason: string };
  url = started.url;
  reason = started.readOnlyReason;
}, 60_000);

afterAll(async () => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

const auth = () => ({ token: adminToken, origin: url });

describe('the server started as an unprivileged user', () => {
  it('starts and says it is read-only, and why', async () => {
    expect(reason).toMatch(/uid 65534, not root/);
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true });
    const me = await callProcedure(url, 'query', 'auth.me', undefined, auth());
    expect(me.status).toBe(200);
    expect((me.data as { readOnlyReason: string }).readOnlyReason).toBe(reason);
  });

  it('still shows the host: every cgroup and namespace', async () => {
    const cgroups = await callProcedure(url, 'query', 'cgroups.list', undefined, auth());
    expect(cgroups.status).toBe(200);
    expect((cgroups.data as unknown[]).length).toBeGreaterThan(1);
    const namespaces = await callProcedure(url, 'query', 'namespaces.list', undefined, auth());
    expect(namespaces.status).toBe(200);
    // Without root, /proc/PID/ns of other users cannot be read: at least its own namespaces show.
    expect((namespaces.data as { namespaces: unknown[] }).namespaces.length).toBeGreaterThan(0);
  });

  it('refuses every change with the reason, and the kernel is untouched', async () => {
    for (const [proc, input] of [
      ['cgroups.create', { path: 'probe' }],
      ['cgroups.move', { pid: process.pid, path: 'probe' }],
      ['tenants.create', { name: 'probe' }],
      ['containers.create', { spec: { image: 'busybox', command: ['true'] }, start: false }],
    ] as const) {
      const r = await callProcedure(url, 'mutation', proc, input, auth());
      expect({ proc, status: r.status, message: r.error?.message }).toEqual({ proc, status: 412, message: reason });
    }
    const cgroups = await openCgroups({ managedRoot: cgroupRoot });
    for (const h of cgroups.hierarchies) expect(existsSync(dirOf(h, h.managedRoot))).toBe(false);
  });
});
