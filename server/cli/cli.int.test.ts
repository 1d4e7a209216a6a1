import { spawn } from 'node:child_process';
import { cgdash } from './testing';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../testing/apiServer';

describe('cgdash CLI against a real server and the real cgroupfs', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('info --json has the cgroup mode and the managed root of every hierarchy', async () => {
    const r = await cgdash(server, 'info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { cgroupMode: string; hierarchies: { managedRootDir: string }[] };
    expect(['v1', 'v2', 'hybrid']).toContain(info.cgroupMode);
    expect(info.hierarchies.length).toBeGreaterThan(0);
    for (const h of info.hierarchies) expect(h.managedRootDir).toContain(server.cgroupRoot);
  });

  it('creates a cgroup, sets limits that reach the kernel, shows and removes it', async () => {
    expect((await cgdash(server, 'cgroup', 'create', 'cli-a')).code).toBe(0);
    const set = await cgdash(server, 'cgroup', 'set', 'cli-a', '--memory', '128M', '--cpus', '0.5', '--pids-limit', '50');
    expect(set.stderr).toBe('');
    const placements = server.services.cgroups.resolve('cli-a');
    const mem = placements.find((p) => p.controllers.includes('memory'))!;
    const memFile = mem.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
    expect((await readFile(path.join(mem.dir, memFile), 'utf8')).trim()).toBe(String(128 * 1024 * 1024));
    const pids = placements.find((p) => p.controllers.includes('pids'))!;
    expect((await readFile(path.join(pids.dir, 'pids.max'), 'utf8')).trim()).toBe('50');
    const cpu = placements.find((p) => p.controllers.includes('cpu'))!;
    const quota = cpu.version === 2 ? (await readFile(path.join(cpu.dir, 'cpu.max'), 'utf8')).trim() : (await readFile(path.join(cpu.dir, 'cpu.cfs_quota_us'), 'utf8')).trim();
    expect(quota).toMatch(/^50000( 100000)?$/);

    const show = await cgdash(server, 'cgroup', 'show', 'cli-a', '--json');
    expect(JSON.parse(show.stdout).limits.pids.max).toBe(50);
    const listed = await cgdash(server, 'cgroups', '--managed', '--json');
    expect(JSON.parse(listed.stdout).map((n: { managedPath: string }) => n.managedPath)).toContain('cli-a');

    expect((await cgdash(server, 'cgroup', 'rm', 'cli-a')).code).toBe(0);
    await expect(readFile(path.join(mem.dir, memFile))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('moves a process it started into a cgroup', async () => {
    await cgdash(server, 'cgroup', 'create', 'cli-move');
    const sleeper = spawn('sleep', ['60']);
    try {
      const r = await cgdash(server, 'cgroup', 'move', String(sleeper.pid), 'cli-move');
      expect(r.code).toBe(0);
      const own = await readFile(`/proc/${sleeper.pid}/cgroup`, 'utf8');
      expect(own).toContain(`${server.cgroupRoot}/cli-move`);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('close', r));
      await cgdash(server, 'cgroup', 'rm', '--kill', 'cli-move');
    }
  });

  it('prints one clear line and exits non-zero on errors', async () => {
    const bad = await cgdash(server, 'cgroup', 'set', 'does-not-exist', '--memory', '1G');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^cgdash: .*does-not-exist/);

    const size = await cgdash(server, 'cgroup', 'create', 'cli-b', '--memory', 'lots');
    expect(size.code).toBe(1);
    expect(size.stderr).toMatch(/limits\.memoryMax: "lots" is not a size/);

    const traversal = await cgdash(server, 'cgroup', 'create', '../../escape');
    expect(traversal.code).toBe(1);
    expect(traversal.stderr).toMatch(/not allowed/);

    const usage = await cgdash(server, 'cgroup', 'move', 'abc');
    expect(usage.code).toBe(2);

    const anon = await cgdash({ url: server.url }, 'cgroups');
    expect(anon.code).toBe(1);
    expect(anon.stderr).toMatch(/not logged in: set CGDASH_TOKEN/);

    const down = await cgdash({ url: 'http://127.0.0.1:1', adminToken: 'x' }, 'info');
    expect(down.stderr).toMatch(/cannot reach the cgdash server at http:\/\/127\.0\.0\.1:1/);
  });

  it('lists namespaces and manages a named netns', async () => {
    const ns = await cgdash(server, 'ns', '--json', '--type', 'net');
    expect(JSON.parse(ns.stdout).every((n: { type: string }) => n.type === 'net')).toBe(true);
    const name = `cgdash-test-cli${Date.now() % 100000}`;
    try {
      expect((await cgdash(server, 'netns', 'add', name)).code).toBe(0);
      const ls = await cgdash(server, 'netns', 'ls', '--json');
      expect(JSON.parse(ls.stdout)).toContainEqual(expect.objectContaining({ name, owned: true }));
    } finally {
      await cgdash(server, 'netns', 'rm', name);
    }
    const ls = await cgdash(server, 'netns', 'ls', '--json');
    expect(JSON.parse(ls.stdout).map((n: { name: string }) => n.name)).not.toContain(name);
  });
});
