/** Limits as the kernel shows them (cgroup v1 on this host), live updates, and the OOM killer. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const MiB = 1024 * 1024;

/** A v1 control file of the container, read directly (not through the code under test). */
async function v1File(id: string, controller: string, file: string): Promise<string> {
  const dir = t.root.dirs(`containers/${id}`).find((d) => d.includes(`/fs/cgroup/${controller}/`)) as string;
  return (await readFile(path.join(dir, file), 'utf8')).trim();
}

describe('limits', () => {
  it('are in the kernel after start, and read back through the cgroup module', async () => {
    const rec = await engine.run({
      image: 'busybox',
      command: ['sleep', '1000'],
      limits: { cpus: 0.5, cpuWeight: 100, cpusetCpus: '0', memory: '64m', memoryReservation: '32m', pidsLimit: 50 },
    });
    expect(await v1File(rec.id, 'cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(await v1File(rec.id, 'cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(await v1File(rec.id, 'memory', 'memory.limit_in_bytes')).toBe(String(64 * MiB));
    expect(await v1File(rec.id, 'memory', 'memory.memsw.limit_in_bytes')).toBe(String(128 * MiB)); // docker: swap = memory by default
    expect(await v1File(rec.id, 'pids', 'pids.max')).toBe('50');
    expect(await v1File(rec.id, 'cpuset', 'cpuset.cpus')).toBe('0');

    const limits = (await engine.inspect(rec.id)).cgroup.limits;
    expect(limits?.cpu).toMatchObject({ maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 100 });
    expect(limits?.memory).toMatchObject({ max: BigInt(64 * MiB), low: BigInt(32 * MiB), swapMax: BigInt(64 * MiB) });
    expect(limits?.pids).toEqual({ max: 50 });
    expect(limits?.cpuset?.cpus).toBe('0');
    await engine.remove(rec.id, { force: true });
  });

  it('writes block I/O throttles for a device given by path', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], limits: { deviceWriteBps: ['/dev/vda:1m'], deviceReadIops: ['254:0:100'] } });
    expect(await v1File(rec.id, 'blkio', 'blkio.throttle.write_bps_device')).toBe(`254:0 ${MiB}`);
    expect(await v1File(rec.id, 'blkio', 'blkio.throttle.read_iops_device')).toBe('254:0 100');
    await engine.remove(rec.id, { force: true });
  });

  it('update changes a running container live and persists the spec', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], limits: { memory: '64m', pidsLimit: 50, cpus: 1 } });
    const result = await engine.update(rec.id, { memory: '128m', memorySwap: '256m', pidsLimit: 100, cpus: 0.25, deviceWriteBps: ['/dev/vda:2m'] });
    expect(result.limits.memory).toBe(128 * MiB);
    expect(result.kernel?.memory?.max).toBe(BigInt(128 * MiB));
    expect(result.kernel?.pids?.max).toBe(100);
    expect(result.kernel?.cpu?.maxQuotaUs).toBe(25000);
    expect(await v1File(rec.id, 'memory', 'memory.limit_in_bytes')).toBe(String(128 * MiB));
    expect(await v1File(rec.id, 'memory', 'memory.memsw.limit_in_bytes')).toBe(String(256 * MiB));
    expect(await v1File(rec.id, 'blkio', 'blkio.throttle.write_bps_device')).toBe(`254:0 ${2 * MiB}`);
    expect(engine.get(rec.id).spec.limits).toMatchObject({ memory: 128 * MiB, pidsLimit: 100, cpus: 0.25 });

    const removed = await engine.update(rec.id, { pidsLimit: null, cpus: null, deviceWriteBps: [] });
    expect(removed.kernel?.pids?.max).toBeNull();
    expect(removed.kernel?.cpu?.maxQuotaUs).toBeNull();
    expect(await v1File(rec.id, 'blkio', 'blkio.throttle.write_bps_device')).toBe('');

    await expect(engine.update(rec.id, { memory: 'lots' })).rejects.toMatchObject({ kind: 'invalid' });
    expect(engine.get(rec.id).spec.limits.memory).toBe(128 * MiB);
    await engine.remove(rec.id, { force: true });
  });

  it('a container past its memory limit is OOM-killed and shown as such', async () => {
    // tmpfs pages count as shmem in the container's memory cgroup: 100 MiB into /dev/shm under 32 MiB.
    // dd is the container's init (exec), so the OOM kill ends the container with 128+9.
    const rec = await engine.run({
      image: 'busybox',
      command: ['sh', '-c', 'echo start; exec dd if=/dev/zero of=/dev/shm/fill bs=1M count=100'],
      limits: { memory: '32m', memorySwap: '32m' },
    });
    const status = await engine.wait(rec.id, { timeoutMs: 30_000 });
    expect(status).toEqual({ exitCode: 137, oomKilled: true });
    const info = await engine.inspect(rec.id);
    expect(info.oomKilled).toBe(true);
    const texts = (await engine.logs(rec.id)).map((l) => l.text);
    expect(texts).toContain('start');
    expect(texts.join('\n')).not.toMatch(/records out/); // dd never finished
    await engine.remove(rec.id);
  });

  it('a container within its limit is not marked OOM', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=8 2>/dev/null; echo ok'], limits: { memory: '64m' } });
    expect(await engine.wait(rec.id, { timeoutMs: 30_000 })).toEqual({ exitCode: 0, oomKilled: false });
    await engine.remove(rec.id);
  });
});
