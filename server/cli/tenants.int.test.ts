import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKernelFile } from '../cgroup/testing';
import { startTestApiServer, type TestApiServer } from '../testing/apiServer';
import { cgdash } from './testing';

describe('cgdash tenant, user, audit and run --tenant against a real server', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    // close() removes the containers a test left, through the engine.
    await server?.close();
  });

  it('creates, lists, updates a tenant; its slice is in the kernel', async () => {
    const created = await cgdash(server, 'tenant', 'create', 'sally', '--display-name', 'Sally', '--cpuset-cpus', '0', '--cpuset-mems', '0', '--memory', '512M', '--pids-limit', '200');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const mem = await readKernelFile(server.services.cgroups, 'tenants/sally', 'memory', 'memory.limit_in_bytes', 'memory.max');
    expect(mem.text).toBe(String(512 * 1024 * 1024));
    expect((await cgdash(server, 'tenant', 'update', 'sally', '--memory', '256M')).code).toBe(0);
    expect((await readKernelFile(server.services.cgroups, 'tenants/sally', 'memory', 'memory.limit_in_bytes', 'memory.max')).text).toBe(String(256 * 1024 * 1024));
    const ls = JSON.parse((await cgdash(server, 'tenant', 'ls', '--json')).stdout) as { tenant: { name: string; limits: { pidsMax: number } } }[];
    expect(ls.map((r) => [r.tenant.name, r.tenant.limits.pidsMax])).toEqual([['sally', 200]]);
    // Overlap with an exclusive slice is refused, nothing made.
    await cgdash(server, 'tenant', 'update', 'sally', '--exclusive');
    const joe = await cgdash(server, 'tenant', 'create', 'joe', '--cpuset-cpus', '0-1');
    expect(joe.code).toBe(1);
    expect(joe.stderr).toMatch(/exclusive to sally/);
    expect(server.services.tenants.list().map((t) => t.name)).toEqual(['sally']);
  });

  it('adopts a process into the slice', async () => {
    const sleeper = spawn('sleep', ['120']);
    try {
      const r = await cgdash(server, 'tenant', 'adopt', 'sally', '--pid', String(sleeper.pid));
      expect(r.stdout.trim()).toBe(String(sleeper.pid));
      expect(await readFile(`/proc/${sleeper.pid}/cgroup`, 'utf8')).toContain(`${server.cgroupRoot}/tenants/sally/adopted`);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('close', r));
    }
  });

  it('makes a member who runs containers only in their slice, and an admin who can disable them', async () => {
    const made = await cgdash(server, 'user', 'create', 'sally', '--role', 'member', '--tenant', 'sally', '--password', 'sally-password-1');
    expect(made.code).toBe(0);
    const userId = Number(made.stdout.trim());
    const sallyToken = server.services.auth.tokens.create(userId, 'cli').secret;
    const asSally = { url: server.url, adminToken: sallyToken };
    const run = await cgdash(asSally, 'run', '--rm', 'busybox', 'id', '-u');
    expect(run.stdout).toBe('0\n');
    expect(run.code).toBe(0);
    const hostPath = await cgdash(asSally, 'run', '--rm', '-v', '/etc:/host-etc', 'busybox', 'true');
    expect(hostPath.code).toBe(1);
    expect(hostPath.stderr).toMatch(/cannot bind host paths/);
    const other = await cgdash(asSally, 'run', '--rm', '--tenant', 'joe', 'busybox', 'true');
    expect(other.stderr).toMatch(/only run containers in tenant sally/);
    expect((await cgdash(asSally, 'cgroups')).stderr).toMatch(/only admins see the whole host/);

    const users = JSON.parse((await cgdash(server, 'user', 'ls', '--json')).stdout) as { name: string; disabled: boolean }[];
    expect(users.find((u) => u.name === 'sally')).toMatchObject({ disabled: false });
    expect((await cgdash(server, 'user', 'disable', 'sally')).code).toBe(0);
    expect((await cgdash(asSally, 'ps')).stderr).toMatch(/refused CGDASH_TOKEN/);
    expect((await cgdash(server, 'user', 'rm', 'sally')).code).toBe(0);
  });

  it('audit --json prints the log as JSON lines, with who did what', async () => {
    const r = await cgdash(server, 'audit', '--json');
    const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; target: string | null; result: string; userName: string });
    expect(entries.find((e) => e.action === 'tenants.create' && e.target === 'sally')).toMatchObject({ result: 'ok', userName: 'admin' });
    expect(entries.find((e) => e.action === 'tenants.create' && e.target === 'joe')).toMatchObject({ result: 'error' });
    expect(entries.find((e) => e.action === 'users.disable')).toMatchObject({ result: 'ok' });
    expect(r.stdout).not.toContain('sally-password-1');
  });

  it('rm refuses a tenant with containers unless forced', async () => {
    await cgdash(server, 'run', '-d', '--tenant', 'sally', '--name', 'in-sally', 'busybox', 'sleep', '300');
    const refused = await cgdash(server, 'tenant', 'rm', 'sally');
    expect(refused.stderr).toMatch(/still has 1 container \(in-sally\)/);
    expect((await cgdash(server, 'tenant', 'rm', '--force', 'sally')).code).toBe(0);
    expect(server.services.engine.list({ all: true })).toHaveLength(0);
    await expect(server.services.cgroups.get('tenants/sally')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
