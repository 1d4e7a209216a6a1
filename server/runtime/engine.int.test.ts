/**
 * The engine against the real kernel: runc + conmon, busybox built offline, cgroups under a
 * fresh cgdash-test-<rand> root. Each test removes its containers; afterAll removes the rest.
 * What it does to cgroups (limits, freezer, placement) is in engine-cgroups.int.test.ts.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { spawn as ptySpawn } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '@/server/lib/exec';
import type { Engine } from './engine';
import { createTestEngine, removeSharedImages, type TestEngine } from './testing';

let t: TestEngine;
let engine: Engine;

beforeAll(async () => {
  t = await createTestEngine();
  engine = t.engine;
});

afterAll(async () => {
  await t?.cleanup();
  await removeSharedImages();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Containers the runtime the engine chose keeps state for. */
async function runtimeIds(): Promise<string[]> {
  const r = await exec(engine.runtimeChoice.binary, ['--root', engine.paths.runtimeRoot, 'list', '-q']);
  return r.stdout.split('\n').filter(Boolean);
}

describe('run, logs, exit codes', () => {
  it('runs busybox echo: stdout marked in the log, exit code 0', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'echo hi; echo oops >&2'] });
    expect(await engine.wait(rec.id, { timeoutMs: 15_000 })).toEqual({ exitCode: 0, oomKilled: false });
    const lines = await engine.logs(rec.id);
    expect(lines.map((l) => [l.stream, l.text])).toEqual([['stdout', 'hi'], ['stderr', 'oops']]);
    expect(await engine.logs(rec.id, { tail: 1 })).toHaveLength(1);
    expect(await engine.logs(rec.id, { since: new Date(Date.now() + 60_000) })).toEqual([]);
    const raw = await readFile(engine.paths.log(rec.id), 'utf8');
    expect(raw).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d stdout F hi$/m);
    const done = engine.get(rec.id);
    expect(done.state).toBe('exited');
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt ?? Infinity);
    // exited: no runc state, no cgroup left; the bundle and log stay until remove
    expect(await runtimeIds()).not.toContain(rec.id);
    for (const d of t.root.dirs(`containers/${rec.id}`)) await expect(access(d)).rejects.toThrow();
    await engine.remove(rec.id);
    await expect(access(engine.paths.bundle(rec.id))).rejects.toThrow();
    expect(() => engine.get(rec.id)).toThrow(/no container/);
  });

  it('reports a non-zero exit and a start of an exited container runs it again', async () => {
    const rec = await engine.run({ image: 'busybox', name: 'again', command: ['sh', '-c', 'echo run; exit 3'] });
    expect((await engine.wait(rec.id, { timeoutMs: 15_000 })).exitCode).toBe(3);
    await engine.start('again');
    expect((await engine.wait('again', { timeoutMs: 15_000 })).exitCode).toBe(3);
    expect((await engine.logs('again')).filter((l) => l.text === 'run')).toHaveLength(2);
    await engine.remove('again');
  });

  it('follows logs as they are written, until the container exits', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.3; done'] });
    const seen: string[] = [];
    for await (const line of engine.followLogs(rec.id)) seen.push(`${line.stream}:${line.text}`);
    expect(seen).toEqual(['stdout:line1', 'stdout:line2', 'stdout:line3']);
    await engine.remove(rec.id);
  });

  it('refuses a second container with the same name', async () => {
    const rec = await engine.create({ image: 'busybox', name: 'twin', command: ['true'] });
    await expect(engine.create({ image: 'busybox', name: 'twin', command: ['true'] })).rejects.toMatchObject({ kind: 'conflict', details: { field: 'name' } });
    await expect(engine.remove('twin')).rejects.toMatchObject({ kind: 'busy' }); // created = live
    await engine.remove(rec.id, { force: true });
  });
});

describe('failure hygiene', () => {
  async function expectNothingLeft(): Promise<void> {
    expect(engine.list({ all: true })).toEqual([]);
    expect(await runtimeIds()).toEqual([]);
    expect(await readdir(engine.paths.containersDir)).toEqual([]);
    for (const d of t.root.dirs('containers')) {
      const children = await readdir(d, { withFileTypes: true }).catch(() => []);
      expect(children.filter((c) => c.isDirectory()).map((c) => `${d}/${c.name}`)).toEqual([]);
    }
    expect((await readdir(engine.paths.exitsDir))).toEqual([]);
  }

  it('a command that is not in the image: clear error, nothing left', async () => {
    await expect(engine.run({ image: 'busybox', command: ['/no/such/binary'] })).rejects.toThrow(/no such file|not found|executable/i);
    await expectNothingLeft();
  });

  it('an invalid cpuset: clear error, nothing left', async () => {
    await expect(engine.run({ image: 'busybox', command: ['true'], limits: { cpusetCpus: '99' } })).rejects.toThrow(/cpuset|99|invalid argument/i);
    await expectNothingLeft();
  });

  it('a missing volume host path or image is refused before anything is made', async () => {
    await expect(engine.run({ image: 'busybox', volumes: ['/no/such/dir:/data'] })).rejects.toMatchObject({ kind: 'invalid', details: { field: 'volumes.0.hostPath' } });
    await expect(engine.run({ image: 'nothing:here' })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(engine.run({ image: 'busybox', namespaces: { ipc: 'container:ghost' } })).rejects.toMatchObject({ kind: 'invalid' });
    await expectNothingLeft();
  });
});

describe('stop, kill, pause, restart', () => {
  it('stop: a process ignoring SIGTERM gets SIGKILL after the timeout', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'] });
    const stopped = await engine.stop(rec.id, { timeoutSec: 1 });
    expect(stopped.state).toBe('exited');
    expect(stopped.exitCode).toBe(137);
    await engine.remove(rec.id);
  });

  it('stop: a process that handles SIGTERM exits by itself', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] });
    await until('the trap to be set', async () => (await engine.top(rec.id)).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await engine.stop(rec.id, { timeoutSec: 10 })).exitCode).toBe(0);
    await engine.remove(rec.id);
  });

  it('kill sends the signal given', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'trap "exit 42" USR1; while true; do sleep 0.1; done'] });
    await new Promise((r) => setTimeout(r, 300));
    const exited = engine.wait(rec.id, { timeoutMs: 10_000 });
    await engine.kill(rec.id, 'SIGUSR1');
    expect((await exited).exitCode).toBe(42);
    await expect(engine.kill(rec.id, 'SIGKILL')).rejects.toMatchObject({ kind: 'busy' });
    await engine.remove(rec.id);
  });

  it('removes a paused container with force', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    await engine.pause(rec.id);
    await engine.remove(rec.id, { force: true });
    expect(await runtimeIds()).not.toContain(rec.id);
  });

  it('restart gives a new process', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    const before = engine.get(rec.id).pid;
    const after = await engine.restart(rec.id, { timeoutSec: 1 });
    expect(after.state).toBe('running');
    expect(after.pid).not.toBe(before);
    await engine.remove(rec.id, { force: true });
  });
});

describe('exec, top, inspect', () => {
  it('execs a command and collects output and exit code', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], env: ['GREETING=hello'] });
    const r = await engine.exec(rec.id, ['sh', '-c', 'echo $GREETING; echo err >&2; exit 5']);
    expect(r).toEqual({ exitCode: 5, stdout: 'hello\n', stderr: 'err\n' });
    expect((await engine.exec(rec.id, ['id', '-u'], { user: '1000' })).stdout.trim()).toBe('1000');
    expect((await engine.exec(rec.id, ['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    await expect(engine.exec(rec.id, ['id'], { user: 'root; reboot' })).rejects.toMatchObject({ kind: 'invalid', details: { field: 'user' } });
    await expect(engine.exec(rec.id, [])).rejects.toMatchObject({ kind: 'invalid' });
    await engine.remove(rec.id, { force: true });
  });

  it('an interactive exec runs under node-pty', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    const [file, ...args] = engine.execArgv(rec.id, ['sh']);
    const pty = ptySpawn(file as string, args, { name: 'xterm', cols: 80, rows: 24, env: { TERM: 'xterm' } });
    let out = '';
    pty.onData((d) => (out += d));
    const exited = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    pty.write('tty; echo "sum=$((40+2))"; exit 7\r');
    expect(await exited).toBe(7);
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    expect(out).toContain('sum=42');
    await engine.remove(rec.id, { force: true });
  });

  it('top lists the processes, inspect shows namespaces, cgroup and mounts', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'sleep 1000 & sleep 1000'], hostname: 'box1' });
    const procs = await until('two processes', async () => {
      const p = await engine.top(rec.id);
      return p.length >= 2 ? p : null;
    });
    expect(procs.map((p) => p.command)).toEqual(expect.arrayContaining(['sleep 1000']));
    const info = await engine.inspect(rec.id);
    expect(info.state).toBe('running');
    // auto is runc on every cgroup layout (crun only when configured)
    expect(info.runtime).toEqual({ name: 'runc', status: 'running' });
    const ns = Object.fromEntries(info.namespaces.map((n) => [n.type, n.sharedWithHost]));
    expect(ns).toMatchObject({ pid: false, mnt: false, net: false, ipc: false, uts: false, user: true });
    // Absolute where the container's cgroup has one path in every hierarchy (pure v2), else relative
    // to runc's own cgroup (the hybrid hosts put this process at different paths per hierarchy).
    const paths = new Set(t.cgroups.resolve(rec.cgroupRef).map((p) => p.path));
    expect(info.cgroup.runtimePath).toBe(paths.size === 1 ? `/${t.root.name}/containers/${rec.id}` : `${t.root.name}/containers/${rec.id}`);
    for (const controller of ['cpu', 'memory', 'pids']) {
      expect(info.cgroup.placements.filter((p) => p.controllers.includes(controller)).map((p) => p.dir)).toEqual([
        expect.stringMatching(new RegExp(`/${t.root.name}/containers/${rec.id}$`)),
      ]);
    }
    expect(info.mounts.map((m) => m.destination)).toContain('/etc/hosts');
    expect((await engine.exec(rec.id, ['hostname'])).stdout.trim()).toBe('box1');
    expect((await engine.exec(rec.id, ['cat', '/etc/hosts'])).stdout).toMatch(/box1/);
    await engine.remove(rec.id, { force: true });
  });

  it('shares namespaces with the host or another container when asked', async () => {
    const a = await engine.run({ image: 'busybox', name: 'ns-a', command: ['sleep', '1000'] });
    const b = await engine.run({ image: 'busybox', command: ['sleep', '1000'], namespaces: { network: 'container:ns-a', ipc: 'host', uts: 'host' } });
    const ia = await engine.inspect(a.id);
    const ib = await engine.inspect(b.id);
    const inode = (i: typeof ia, type: string) => i.namespaces.find((n) => n.type === type);
    expect(inode(ib, 'net')?.inode).toBe(inode(ia, 'net')?.inode);
    expect(inode(ib, 'ipc')?.sharedWithHost).toBe(true);
    expect(inode(ib, 'uts')?.sharedWithHost).toBe(true);
    expect(inode(ib, 'pid')?.sharedWithHost).toBe(false);
    await engine.remove(b.id, { force: true });
    await engine.remove(a.id, { force: true });
  });
});
