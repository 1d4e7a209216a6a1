/** Isolation as the kernel enforces it: seccomp, capabilities, privileged, user namespaces, read-only mounts. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import type { ContainerSpecInput } from './spec';
import { createTestEngine, removeSharedImages, type TestEngine } from './testing';

let t: TestEngine;
let engine: Engine;
let hostDir: string;

beforeAll(async () => {
  t = await createTestEngine();
  engine = t.engine;
  hostDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-volume-'));
  await writeFile(path.join(hostDir, 'greeting'), 'from the host\n');
});

afterAll(async () => {
  await t?.cleanup();
  await removeSharedImages();
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

/** Run to completion; exit code and the log's text. */
async function runToEnd(spec: Partial<ContainerSpecInput> & { command: string[] }): Promise<{ exitCode: number | null; out: string }> {
  const rec = await engine.run({ image: 'busybox', ...spec });
  const { exitCode } = await engine.wait(rec.id, { timeoutMs: 20_000 });
  const out = (await engine.logs(rec.id)).map((l) => l.text).join('\n');
  await engine.remove(rec.id);
  return { exitCode, out };
}

describe('seccomp', () => {
  // A new user namespace needs no capability, so only the profile stands between a default
  // container and unshare(CLONE_NEWUSER): the same container with seccomp off succeeds.
  it('the default profile refuses unshare of a user namespace; unconfined allows it', async () => {
    const denied = await runToEnd({ command: ['unshare', '-U', 'true'] });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.out).toMatch(/Operation not permitted/);
    const allowed = await runToEnd({ command: ['unshare', '-U', 'true'], security: { seccomp: 'unconfined' } });
    expect(allowed.exitCode).toBe(0);
  });

  it('unshare -m fails in a default container and works privileged', async () => {
    expect((await runToEnd({ command: ['unshare', '-m', 'true'] })).exitCode).not.toBe(0);
    expect((await runToEnd({ command: ['unshare', '-m', 'true'], security: { privileged: true } })).exitCode).toBe(0);
  });

  it('a container given CAP_SYS_ADMIN gets the mount rules dropped from its profile', async () => {
    const r = await runToEnd({ command: ['sh', '-c', 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted'], security: { capAdd: ['SYS_ADMIN'] } });
    expect(r).toEqual({ exitCode: 0, out: 'mounted' });
    const plain = await runToEnd({ command: ['sh', '-c', 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted'] });
    expect(plain.exitCode).not.toBe(0);
  });
});

describe('capabilities and privileged', () => {
  it('holds docker\'s default set, minus drops, plus adds', async () => {
    const capEff = async (security: ContainerSpecInput['security']) =>
      BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec((await runToEnd({ command: ['grep', 'CapEff', '/proc/self/status'], security })).out)?.[1]}`);
    const defaults = await capEff({});
    expect(defaults).toBe(0xa80425fbn); // docker's default set, bit by bit
    const noRaw = await capEff({ capDrop: ['NET_RAW'] });
    expect(noRaw).toBe(defaults & ~(1n << 13n));
    const admin = await capEff({ capAdd: ['SYS_ADMIN'] });
    expect(admin).toBe(defaults | (1n << 21n));
  });

  it('masks /proc/kcore and keeps /proc/sys read-only unless privileged', async () => {
    expect((await runToEnd({ command: ['sh', '-c', 'test -s /proc/kcore || echo masked; echo 1 2>/dev/null > /proc/sys/kernel/ns_last_pid || echo readonly'] })).out).toBe('masked\nreadonly');
  });

  it('privileged sees host devices', async () => {
    expect((await runToEnd({ command: ['sh', '-c', 'test -b /dev/loop0 && echo has-loop'], security: { privileged: true } })).out).toBe('has-loop');
    expect((await runToEnd({ command: ['sh', '-c', 'test -b /dev/loop0 && echo has-loop'] })).out).toBe('');
  });
});

describe('user namespace', () => {
  it('root inside is uid 100000 on the host', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'id -u; sleep 1000'], namespaces: { user: 'new' }, usernsMapping: 'map=0:100000:65536' });
    const inside = await engine.exec(rec.id, ['id', '-u']);
    expect(inside.stdout.trim()).toBe('0');
    const procs = await engine.top(rec.id);
    expect(procs.length).toBeGreaterThan(0);
    expect(procs.every((p) => p.uid === 100000)).toBe(true);
    const status = await readFile(`/proc/${engine.get(rec.id).pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('100000');
    expect((await engine.inspect(rec.id)).namespaces.find((n) => n.type === 'user')?.sharedWithHost).toBe(false);
    expect((await engine.exec(rec.id, ['cat', '/proc/self/uid_map'])).stdout.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    await engine.remove(rec.id, { force: true });
  });
});

describe('mounts', () => {
  it('a read-only volume can be read, not written', async () => {
    const r = await runToEnd({ command: ['sh', '-c', 'cat /data/greeting; touch /data/new && echo wrote'], volumes: [`${hostDir}:/data:ro`] });
    expect(r.out).toMatch(/^from the host\n.*Read-only file system/s);
    expect(r.out).not.toMatch(/wrote/);
    expect(r.exitCode).not.toBe(0);
  });

  it('a read-write volume is written through to the host', async () => {
    const r = await runToEnd({ command: ['sh', '-c', 'echo hello > /data/back'], volumes: [{ hostPath: hostDir, containerPath: '/data' }] });
    expect(r.exitCode).toBe(0);
    expect(await readFile(path.join(hostDir, 'back'), 'utf8')).toBe('hello\n');
  });

  it('a read-only root file system refuses writes but tmpfs mounts work', async () => {
    const r = await runToEnd({ command: ['sh', '-c', 'touch /x 2>/dev/null || echo ro-root; touch /scratch/y && echo tmpfs-ok'], readOnlyRootfs: true, tmpfs: ['/scratch:size=1m'] });
    expect(r.out).toBe('ro-root\ntmpfs-ok');
  });

  it('mounts the volume at the realpath of a symlinked host path', async () => {
    const link = path.join(os.tmpdir(), `cgdash-link-${process.pid}`);
    await rm(link, { force: true });
    await import('node:fs/promises').then((fs) => fs.symlink(hostDir, link));
    try {
      const rec = await engine.create({ image: 'busybox', command: ['true'], volumes: [`${link}:/data:ro`] });
      expect(rec.spec.volumes[0]?.hostPath).toBe(hostDir);
      await engine.remove(rec.id, { force: true });
    } finally {
      await rm(link, { force: true });
    }
  });
});
