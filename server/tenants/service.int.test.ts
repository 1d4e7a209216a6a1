import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups, type CgroupManager } from '../cgroup';
import { createTestRoot, spawnTestProcess, type TestRoot } from '../cgroup/testing';
import { openDatabase } from '../db';
import { tenantMigrations } from './schema';
import { TenantService } from './service';

const MiB = 1024n * 1024n;

async function kernelFile(cgroups: CgroupManager, ref: string, controller: string, v1: string, v2: string) {
  const p = cgroups.resolve(ref).find((x) => x.controllers.includes(controller));
  if (!p) return null;
  return (await readFile(path.join(p.dir, p.version === 2 ? v2 : v1), 'utf8')).trim();
}

describe('TenantService on the real cgroupfs', () => {
  let root: TestRoot;
  let cgroups: CgroupManager;
  let tenants: TenantService;
  const containers = new Map<string, { id: string; name: string }[]>();
  const removed: string[] = [];

  beforeAll(async () => {
    root = await createTestRoot();
    cgroups = await openCgroups({ managedRoot: root.name });
    tenants = new TenantService({
      db: openDatabase(':memory:', tenantMigrations),
      cgroups,
      capacity: async () => ({ memoryBytes: 8 * 1024 ** 3, cpus: 2 }),
      containers: { of: (t) => containers.get(t) ?? [], remove: async (id) => void removed.push(id) },
    });
  });
  afterAll(async () => {
    await root?.cleanup();
  });

  it('gives Sally CPU 0 and 512M and Joe CPU 1 and 256M, in the kernel', async () => {
    await tenants.create({ name: 'sally', limits: { cpusetCpus: '0', cpusetMems: '0', memoryMax: 512n * MiB } });
    await tenants.create({ name: 'joe', limits: { cpusetCpus: '1', cpusetMems: '0', memoryMax: 256n * MiB } });
    expect(await kernelFile(cgroups, 'tenants/sally', 'cpuset', 'cpuset.cpus', 'cpuset.cpus')).toBe('0');
    expect(await kernelFile(cgroups, 'tenants/joe', 'cpuset', 'cpuset.cpus', 'cpuset.cpus')).toBe('1');
    expect(await kernelFile(cgroups, 'tenants/sally', 'memory', 'memory.limit_in_bytes', 'memory.max')).toBe(String(512n * MiB));
    expect(tenants.usernsMapping('joe').hostId).not.toBe(tenants.usernsMapping('sally').hostId);
  });

  it('edits a slice live and refuses a second owner of an exclusive CPU', async () => {
    await tenants.update({ name: 'joe', limits: { memoryMax: 300n * MiB, pidsMax: 100 } });
    expect(await kernelFile(cgroups, 'tenants/joe', 'memory', 'memory.limit_in_bytes', 'memory.max')).toBe(String(300n * MiB));
    expect(await kernelFile(cgroups, 'tenants/joe', 'pids', 'pids.max', 'pids.max')).toBe('100');
    await tenants.update({ name: 'sally', cpusetExclusive: true });
    await expect(tenants.update({ name: 'joe', limits: { cpusetCpus: '0-1' } })).rejects.toMatchObject({ kind: 'invalid', details: { field: 'cpusetCpus' } });
    expect(await kernelFile(cgroups, 'tenants/joe', 'cpuset', 'cpuset.cpus', 'cpuset.cpus')).toBe('1');
  });

  it('adopts a process into the slice', async () => {
    const proc = spawnTestProcess('sleep', ['60']);
    try {
      await tenants.adopt('joe', { pids: [proc.pid] });
      expect(await readFile(`/proc/${proc.pid}/cgroup`, 'utf8')).toContain(`${root.name}/tenants/joe/adopted`);
    } finally {
      proc.kill();
    }
  });

  it('refuses to delete a tenant with containers unless forced, then removes everything', async () => {
    containers.set('joe', [{ id: 'c1', name: 'web' }]);
    await expect(tenants.remove('joe')).rejects.toThrow(/still has 1 container \(web\)/);
    expect(tenants.get('joe')).toBeTruthy();
    await tenants.remove('joe', { force: true });
    expect(removed).toEqual(['c1']);
    expect(() => tenants.get('joe')).toThrow(/no tenant/);
    await expect(cgroups.get('tenants/joe')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('leaves no cgroup behind when a limit is refused at creation', async () => {
    await expect(tenants.create({ name: 'bad', limits: { cpusetCpus: '7' } })).rejects.toThrow(/no CPU 7/);
    await expect(cgroups.get('tenants/bad')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
