/**
 * What the engine does to cgroups, checked in the kernel's own files (cgroup v1 on the hybrid
 * development hosts, v2 in the VM suite): limits at start and read back, block I/O throttles,
 * live updates, the OOM killer, pause (freezer.state / cgroup.freeze), and where a container and
 * its conmon are placed. The files are read past the code under test (readKernelFile).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProcCgroup } from '@/server/cgroup/mounts';
import { readKernelFile } from '@/server/cgroup/testing';
import { weightToShares } from '@/server/cgroup/v1/cpu';
import type { Engine } from './engine';
import { conmonCgroupRef } from './launch';
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

/** The control file of the hierarchy that carries `controller`, holding the value of its version. */
async function expectKernelFile(ref: string, controller: string, v1: [file: string, value: string], v2: [file: string, value: string]): Promise<void> {
  const read = await readKernelFile(t.cgroups, ref, controller, v1[0], v2[0]);
  expect(read.text, read.file).toBe(read.version === 1 ? v1[1] : v2[1]);
}

/** Every hierarchy cgdash manages has `pid` in `ref`'s cgroup, as /proc/PID/cgroup says. */
async function expectPlacedIn(pid: number, ref: string): Promise<void> {
  const lines = parseProcCgroup(await readFile(`/proc/${pid}/cgroup`, 'utf8'));
  const placements = t.cgroups.resolve(ref);
  expect(placements.length).toBeGreaterThan(0);
  for (const p of placements) {
    expect({ hierarchy: p.controllers.join(',') || 'unified', path: lines.find((l) => l.hierarchyId === p.hierarchyId)?.path }).toEqual({
      hierarchy: p.controllers.join(',') || 'unified',
      path: p.path,
    });
  }
}

describe('limits', () => {
  it('are in the kernel after start, and read back through the cgroup module', async () => {
    const rec = await engine.run({
      image: 'busybox',
      command: ['sleep', '1000'],
      limits: { cpus: 0.5, cpuWeight: 100, cpusetCpus: '0', memory: '64m', memoryReservation: '32m', pidsLimit: 50 },
    });
    const ref = rec.cgroupRef;
    await expectKernelFile(ref, 'cpu', ['cpu.cfs_quota_us', '50000'], ['cpu.max', '50000 100000']);
    await expectKernelFile(ref, 'cpu', ['cpu.cfs_period_us', '100000'], ['cpu.max', '50000 100000']);
    await expectKernelFile(ref, 'cpu', ['cpu.shares', String(weightToShares(100))], ['cpu.weight', '100']);
    await expectKernelFile(ref, 'memory', ['memory.limit_in_bytes', String(64 * MiB)], ['memory.max', String(64 * MiB)]);
    await expectKernelFile(ref, 'memory', ['memory.soft_limit_in_bytes', String(32 * MiB)], ['memory.low', String(32 * MiB)]);
    // docker: swap = memory by default. v1 limits memory+swap together, v2 swap alone.
    await expectKernelFile(ref, 'memory', ['memory.memsw.limit_in_bytes', String(128 * MiB)], ['memory.swap.max', String(64 * MiB)]);
    await expectKernelFile(ref, 'pids', ['pids.max', '50'], ['pids.max', '50']);
    await expectKernelFile(ref, 'cpuset', ['cpuset.cpus', '0'], ['cpuset.cpus', '0']);

    const limits = (await engine.inspect(rec.id)).cgroup.limits;
    expect(limits?.cpu).toMatchObject({ maxQuotaUs: 50000, maxPeriodUs: 100000, weight: 100 });
    expect(limits?.memory).toMatchObject({ max: BigInt(64 * MiB), low: BigInt(32 * MiB), swapMax: BigInt(64 * MiB) });
    expect(limits?.pids).toEqual({ max: 50 });
    expect(limits?.cpuset?.cpus).toBe('0');
    await engine.remove(rec.id, { force: true });
  });

  it('writes block I/O throttles for a device given by path', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], limits: { deviceWriteBps: ['/dev/vda:1m'], deviceReadIops: ['254:0:100'] } });
    await expectKernelFile(rec.cgroupRef, 'io', ['blkio.throttle.write_bps_device', `254:0 ${MiB}`], ['io.max', `254:0 rbps=max wbps=${MiB} riops=100 wiops=max`]);
    await expectKernelFile(rec.cgroupRef, 'io', ['blkio.throttle.read_iops_device', '254:0 100'], ['io.max', `254:0 rbps=max wbps=${MiB} riops=100 wiops=max`]);
    await engine.remove(rec.id, { force: true });
  });

  it('update changes a running container live and persists the spec', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], limits: { memory: '64m', pidsLimit: 50, cpus: 1 } });
    const ref = rec.cgroupRef;
    const result = await engine.update(rec.id, { memory: '128m', memorySwap: '256m', pidsLimit: 100, cpus: 0.25, deviceWriteBps: ['/dev/vda:2m'] });
    expect(result.limits.memory).toBe(128 * MiB);
    expect(result.kernel?.memory?.max).toBe(BigInt(128 * MiB));
    expect(result.kernel?.pids?.max).toBe(100);
    expect(result.kernel?.cpu?.maxQuotaUs).toBe(25000);
    await expectKernelFile(ref, 'memory', ['memory.limit_in_bytes', String(128 * MiB)], ['memory.max', String(128 * MiB)]);
    await expectKernelFile(ref, 'memory', ['memory.memsw.limit_in_bytes', String(256 * MiB)], ['memory.swap.max', String(128 * MiB)]);
    await expectKernelFile(ref, 'pids', ['pids.max', '100'], ['pids.max', '100']);
    await expectKernelFile(ref, 'cpu', ['cpu.cfs_quota_us', '25000'], ['cpu.max', '25000 100000']);
    await expectKernelFile(ref, 'io', ['blkio.throttle.write_bps_device', `254:0 ${2 * MiB}`], ['io.max', `254:0 rbps=max wbps=${2 * MiB} riops=max wiops=max`]);
    expect(engine.get(rec.id).spec.limits).toMatchObject({ memory: 128 * MiB, pidsLimit: 100, cpus: 0.25 });

    const removed = await engine.update(rec.id, { pidsLimit: null, cpus: null, deviceWriteBps: [] });
    expect(removed.kernel?.pids?.max).toBeNull();
    expect(removed.kernel?.cpu?.maxQuotaUs).toBeNull();
    await expectKernelFile(ref, 'pids', ['pids.max', 'max'], ['pids.max', 'max']);
    await expectKernelFile(ref, 'cpu', ['cpu.cfs_quota_us', '-1'], ['cpu.max', 'max 100000']);
    await expectKernelFile(ref, 'io', ['blkio.throttle.write_bps_device', ''], ['io.max', '']);

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

describe('freezer and placement', () => {
  it('pause freezes the cgroup, unpause thaws it', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'] });
    await engine.pause(rec.id);
    expect(engine.get(rec.id).state).toBe('paused');
    await expectKernelFile(rec.cgroupRef, 'freezer', ['freezer.state', 'FROZEN'], ['cgroup.freeze', '1']);
    expect((await engine.inspect(rec.id)).cgroup.frozen).toBe(true);
    await engine.unpause(rec.id);
    await expectKernelFile(rec.cgroupRef, 'freezer', ['freezer.state', 'THAWED'], ['cgroup.freeze', '0']);
    expect((await engine.inspect(rec.id)).cgroup.frozen).toBe(false);
    expect(engine.get(rec.id).state).toBe('running');
    await expect(engine.unpause(rec.id)).rejects.toMatchObject({ kind: 'busy' });
    await engine.remove(rec.id, { force: true });
  });

  it('puts a tenant\'s container under tenants/<tenant>, and its conmon under conmon/<id>, in every hierarchy', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sleep', '1000'], tenant: 'acme' });
    expect(rec.cgroupRef).toBe(`tenants/acme/${rec.id}`);
    await expectPlacedIn(rec.pid as number, rec.cgroupRef);
    // conmon left the server's cgroup for its own, so stopping the server's cgroup spares it
    await expectPlacedIn(engine.get(rec.id).conmonPid as number, conmonCgroupRef(rec.id));
    expect(engine.list({ tenant: 'acme' }).map((r) => r.id)).toEqual([rec.id]);
    await engine.remove(rec.id, { force: true });
  });

  it('moves a running container into a tenant and back, live: processes, limits, pause, update and remove follow', async () => {
    const rec = await engine.run({ image: 'busybox', command: ['sh', '-c', 'sleep 1000 & sleep 1000'], limits: { memory: '48m' } });
    const pidsBefore = await t.cgroups.pidsOf(rec.cgroupRef);
    expect(pidsBefore.length).toBeGreaterThanOrEqual(2);
    const moved = await engine.move(rec.id, 'sally');
    expect(moved.cgroupRef).toBe(`tenants/sally/${rec.id}`);
    expect(moved.tenant).toBe('sally');
    expect((await t.cgroups.pidsOf(moved.cgroupRef)).sort()).toEqual(pidsBefore.sort());
    await expectPlacedIn(rec.pid as number, moved.cgroupRef);
    await expect(t.cgroups.get(rec.cgroupRef)).rejects.toMatchObject({ kind: 'not_found' });
    await expectKernelFile(moved.cgroupRef, 'memory', ['memory.limit_in_bytes', String(48 * MiB)], ['memory.max', String(48 * MiB)]);
    // runc follows it to the new cgroup: freeze, a live update, and the removal
    await engine.pause(rec.id);
    await expectKernelFile(moved.cgroupRef, 'freezer', ['freezer.state', 'FROZEN'], ['cgroup.freeze', '1']);
    await expect(engine.move(rec.id, null)).rejects.toMatchObject({ kind: 'busy' });
    await engine.unpause(rec.id);
    await engine.update(rec.id, { memory: '64m' });
    await expectKernelFile(moved.cgroupRef, 'memory', ['memory.limit_in_bytes', String(64 * MiB)], ['memory.max', String(64 * MiB)]);
    const back = await engine.move(rec.id, null);
    expect(back.cgroupRef).toBe(`containers/${rec.id}`);
    await expectPlacedIn(rec.pid as number, back.cgroupRef);
    await engine.remove(rec.id, { force: true });
    await expect(t.cgroups.get(back.cgroupRef)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(t.cgroups.get(moved.cgroupRef)).rejects.toMatchObject({ kind: 'not_found' });
  });
});
