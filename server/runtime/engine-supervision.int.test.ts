/**
 * What happens around a container's exit: restart policies, --rm, a server restart (a second
 * engine over the same data dir), commit, and images in use.
 */
import { access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, StateChange } from './engine';
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

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('restart policy', () => {
  it('on-failure:2 restarts a failing container twice, then leaves it exited', async () => {
    const states: string[] = [];
    const onState = (c: StateChange) => states.push(c.to);
    engine.events.on('state', onState);
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'echo attempt; exit 1'], restartPolicy: 'on-failure:2' });
    try {
      const done = await until('the policy to give up', () => {
        const r = engine.get(rec.id);
        return r.state === 'exited' && r.restartCount === 2 ? r : null;
      });
      expect(done.exitCode).toBe(1);
      await new Promise((r) => setTimeout(r, 800)); // no third run comes
      expect(engine.get(rec.id).restartCount).toBe(2);
      expect(engine.get(rec.id).state).toBe('exited');
      expect((await engine.logs(rec.id)).filter((l) => l.text === 'attempt')).toHaveLength(3);
      expect(states.filter((s) => s === 'restarting')).toHaveLength(2);
    } finally {
      engine.events.off('state', onState);
      await engine.remove(rec.id, { force: true });
    }
  });

  it('on-failure does not restart after exit 0; always does, until stopped', async () => {
    const ok = await engine.run({ image: 'busybox', command: ['true'], restartPolicy: 'on-failure' });
    await engine.wait(ok.id, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(engine.get(ok.id)).toMatchObject({ state: 'exited', restartCount: 0 });
    await engine.remove(ok.id);

    const always = await engine.run({ image: 'busybox', command: ['true'], restartPolicy: 'always' });
    await until('a restart', () => engine.get(always.id).restartCount >= 1);
    const stopped = await engine.stop(always.id, { timeoutSec: 1 });
    expect(['exited']).toContain(stopped.state);
    const count = stopped.restartCount;
    await new Promise((r) => setTimeout(r, 800));
    expect(engine.get(always.id).restartCount).toBe(count);
    await engine.remove(always.id, { force: true });
  });
});

describe('--rm', () => {
  it('an auto-remove container is gone after it exits', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['true'], autoRemove: true });
    await until('removal', () => !engine.list({ all: true }).some((r) => r.id === rec.id));
    expect(() => engine.get(rec.id)).toThrow(/no container/);
  });
});

describe('server restart', () => {
  it('a second engine reconciles: running containers keep running, exits meanwhile are picked up, --rm ones removed', async () => {
    const first = await t.reopen();
    // Both end on SIGTERM, sent only once no engine watches: exits that happen while the server
    // is away, whatever the time a run takes (seconds under emulation).
    const onTerm = (code: number) => ['sh', '-c', `trap "exit ${code}" TERM; while :; do sleep 0.1; done`];
    const keeps = await first.run({ image: 'busybox', name: 'keeps', command: ['sleep', '1000'] });
    const exits = await first.run({ image: 'busybox', name: 'exits', command: onTerm(7) });
    const rm = await first.run({ image: 'busybox', name: 'rm-later', command: onTerm(0), autoRemove: true });
    // a sleep of the loop runs: the trap before it is set
    for (const id of [exits.id, rm.id]) await until('the trap to be set', async () => (await first.top(id)).length >= 2);
    first.close(); // the server goes away; conmon keeps the containers
    engine.close(); // the suite's engine shares the database: it must not see the exits either
    for (const id of [exits.id, rm.id]) await first.runtime.kill(id, 'SIGTERM');
    await until('the exit files', async () => (await Promise.all([exits.id, rm.id].map((id) => access(first.paths.exitFile(id)).then(() => true, () => false)))).every(Boolean));

    const second = await t.reopen();
    const changes = second.startupChanges;
    expect(changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: exits.id, from: 'running', to: 'exited' }),
      expect.objectContaining({ id: rm.id, to: 'removed' }),
    ]));
    expect(changes.find((c) => c.id === keeps.id)).toBeUndefined();
    expect(second.get('exits')).toMatchObject({ state: 'exited', exitCode: 7, oomKilled: false });
    expect(() => second.get('rm-later')).toThrow(/no container/);
    const alive = second.get('keeps');
    expect(alive.state).toBe('running');
    expect(alive.pid).toBe(keeps.pid);
    expect((await second.exec('keeps', ['echo', 'still here'])).stdout).toBe('still here\n');
    // the new engine watches exits of containers it did not start
    engine = second;
    expect((await second.stop('keeps', { timeoutSec: 1 })).exitCode).toBe(137);
    await second.remove('keeps');
    await second.remove('exits');
    expect(await second.reconcile()).toEqual([]); // nothing more to find
  });

  it('marks dead a container whose runtime state vanished while away', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    engine.close();
    // simulate a reboot-like loss: the runtime forgets it, no exit file is written
    const { exec } = await import('@/server/lib/exec');
    await exec(engine.runtimeChoice.binary, ['--root', engine.paths.runtimeRoot, 'delete', '--force', rec.id]);
    await new Promise((r) => setTimeout(r, 300));
    await exec('rm', ['-f', engine.paths.exitFile(rec.id)]);
    const next = await t.reopen();
    engine = next;
    expect(next.startupChanges).toContainEqual(expect.objectContaining({ id: rec.id, from: 'running', to: 'dead' }));
    await next.remove(rec.id);
  });

  it('notices a container whose conmon was killed, once the container ends', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    const conmonPid = engine.get(rec.id).conmonPid as number;
    process.kill(conmonPid, 'SIGKILL'); // our own conmon, of our own test container
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.get(rec.id).state).toBe('running'); // the container itself lives on
    const ended = engine.wait(rec.id, { timeoutMs: 15_000 });
    await engine.runtime.kill(rec.id, 'SIGKILL');
    expect(await ended).toEqual({ exitCode: null, oomKilled: false });
    expect(engine.get(rec.id)).toMatchObject({ state: 'dead', error: expect.stringMatching(/conmon is gone/) });
    await engine.remove(rec.id);
  });
});

describe('commit and images', () => {
  it('commit turns the container\'s changes into an image that runs', async () => {
    const rec = await engine.run({ image: 'busybox', name: 'src', command: ['sh', '-c', 'echo committed > /hello; sleep 1000'], env: ['FROM_CONTAINER=1'] });
    await until('the file', async () => (await engine.exec(rec.id, ['cat', '/hello'])).stdout === 'committed\n');
    const ref = await engine.commit(rec.id, 'snap:v1', { author: 'tester', message: 'add hello' });
    expect(ref).toBe('snap:v1');
    expect(engine.get(rec.id).state).toBe('running'); // paused for the commit, then resumed
    const image = await engine.images.inspect('snap:v1');
    expect(image.layers).toHaveLength(2);
    expect(image.history.at(-1)).toMatchObject({ author: 'tester', comment: 'add hello' });
    expect(image.config.config?.Cmd).toEqual(['sh', '-c', 'echo committed > /hello; sleep 1000']);
    expect(image.config.config?.Env).toContain('FROM_CONTAINER=1');

    const run = await engine.run({ image: 'snap:v1', command: ['cat', '/hello'] });
    await engine.wait(run.id, { timeoutMs: 15_000 });
    expect((await engine.logs(run.id)).map((l) => l.text)).toEqual(['committed']);

    // an image a container was made from cannot be removed
    await expect(engine.removeImage('snap:v1')).rejects.toMatchObject({ kind: 'busy' });
    await engine.remove(run.id);
    await engine.remove(rec.id, { force: true });
    expect(await engine.removeImage('snap:v1')).toEqual(['snap:v1']);
    expect((await engine.images.list()).flatMap((i) => i.repoTags)).toEqual(['busybox:latest']);
  });
});
