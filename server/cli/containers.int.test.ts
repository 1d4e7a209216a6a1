import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../testing/apiServer';
import { cgdash, cliEntry } from './testing';

describe('cgdash container commands against real runc', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    // close() removes the containers a test left, through the engine.
    await server?.close();
  });

  it('run --rm prints the output and exits with the container\'s code', async () => {
    const ok = await cgdash(server, 'run', '--rm', 'busybox', 'echo', 'hello from busybox');
    expect(ok.stdout).toBe('hello from busybox\n');
    expect(ok.code).toBe(0);
    const failing = await cgdash(server, 'run', '--rm', 'busybox', 'sh', '-c', 'echo oops >&2; exit 3');
    expect(failing.stderr).toContain('oops');
    expect(failing.code).toBe(3);
    // --rm: removed right after the exit, once the output was read
    await expect.poll(() => server.services.engine.list({ all: true }).length, { timeout: 20_000 }).toBe(0);
  });

  it('runs detached with limits; ps, logs, exec, inspect, update, stop, rm', async () => {
    const run = await cgdash(server, 'run', '-d', '--name', 'cli-web', '-m', '64m', '-e', 'GREETING=hi', 'busybox', 'sh', '-c', 'echo "$GREETING"; sleep 600');
    expect(run.stderr).toBe('');
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const ps = await cgdash(server, 'ps');
    expect(ps.stdout).toMatch(/cli-web/);
    expect(ps.stdout).toMatch(/Running/);

    await expect.poll(async () => (await cgdash(server, 'logs', 'cli-web')).stdout, { timeout: 20_000 }).toBe('hi\n');
    const ex = await cgdash(server, 'exec', 'cli-web', 'sh', '-c', 'echo $((6*7))');
    expect(ex.stdout).toBe('42\n');

    const inspect = JSON.parse((await cgdash(server, 'inspect', 'cli-web')).stdout) as { cgroup: { placements: { controllers: string[]; dir: string }[] } };
    const mem = inspect.cgroup.placements.find((p) => p.controllers.includes('memory'))!;
    const memFile = path.join(mem.dir, server.services.cgroups.mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes');
    expect((await readFile(memFile, 'utf8')).trim()).toBe(String(64 * 1024 * 1024));

    expect((await cgdash(server, 'update', '-m', '96m', 'cli-web')).code).toBe(0);
    expect((await readFile(memFile, 'utf8')).trim()).toBe(String(96 * 1024 * 1024));

    const stop = await cgdash(server, 'stop', '-t', '1', 'cli-web');
    expect(stop.code).toBe(0);
    expect((await cgdash(server, 'ps')).stdout).not.toMatch(/cli-web/);
    expect((await cgdash(server, 'ps', '-a')).stdout).toMatch(/cli-web.*|Exited/);
    expect((await cgdash(server, 'rm', 'cli-web')).code).toBe(0);
    expect(server.services.engine.list({ all: true }).find((c) => c.id === id)).toBeUndefined();
  });

  it('exec -it gives a real terminal, and run -it ends with the session', async () => {
    await cgdash(server, 'run', '-d', '--name', 'cli-tty', 'busybox', 'sleep', '600');
    const term = (args: string[]) => {
      const pty = spawnPty(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
        cols: 100,
        rows: 30,
        env: { ...process.env, CGDASH_URL: server.url, CGDASH_TOKEN: server.adminToken } as Record<string, string>,
      });
      let out = '';
      pty.onData((d) => (out += d));
      const exited = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
      return { pty, output: () => out, exited };
    };
    const exec = term(['exec', '-it', 'cli-tty', 'sh']);
    // busybox's prompt, then its cursor-position query (ESC [6n)
    await expect.poll(() => exec.output(), { timeout: 20_000 }).toMatch(/\/ # /).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(exec.output())}`);
    });
    exec.pty.write('echo tty-$((2+3)); stty size\r');
    await expect.poll(() => exec.output(), { timeout: 10_000 }).toMatch(/tty-5/);
    expect(exec.output()).toMatch(/30 100/);
    exec.pty.write('exit 7\r');
    expect(await exec.exited).toBe(7);

    const run = term(['run', '-it', '--rm', 'busybox', 'sh']);
    await expect.poll(() => run.output(), { timeout: 20_000 }).toMatch(/\/ # /);
    run.pty.write('echo session; exit 4\r');
    expect(await run.exited).toBe(4);
    await expect.poll(() => server.services.engine.list({ all: true }).filter((c) => c.name !== 'cli-tty').length, { timeout: 20_000 }).toBe(0);
    await cgdash(server, 'rm', '-f', 'cli-tty');
  });

  it('refuses bad input with one clear line and leaves nothing behind', async () => {
    const unknownImage = await cgdash(server, 'run', '--rm', 'no-such-image', 'true');
    expect(unknownImage.code).toBe(1);
    expect(unknownImage.stderr).toMatch(/no-such-image/);
    const badMemory = await cgdash(server, 'run', '-m', 'lots', 'busybox', 'true');
    expect(badMemory.stderr).toMatch(/memory/);
    const missingVolume = await cgdash(server, 'run', '-v', '/does/not/exist:/x', 'busybox', 'true');
    expect(missingVolume.stderr).toMatch(/\/does\/not\/exist/);
    const badFlag = await cgdash(server, 'run', '--frobnicate', 'busybox');
    expect(badFlag.code).not.toBe(0);
    await cgdash(server, 'run', '-d', '--name', 'dup', 'busybox', 'sleep', '60');
    const dup = await cgdash(server, 'run', '-d', '--name', 'dup', 'busybox', 'sleep', '60');
    expect(dup.stderr).toMatch(/dup/);
    await cgdash(server, 'rm', '-f', 'dup');
    expect(server.services.engine.list({ all: true }).map((c) => [c.name, c.state, c.error])).toEqual([]);
  });
});
