import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patchOfLimits, retargetRuncState } from './move';

const id = 'a'.repeat(64);

describe('retargetRuncState', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('points every cgroup path of the state at the new cgroup, and nothing else', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-move-'));
    await mkdir(path.join(dir, id));
    const state = {
      id,
      cgroup_paths: {
        cpu: `/sys/fs/cgroup/cpu/cgdash/containers/${id}`,
        memory: `/sys/fs/cgroup/memory/process_api/x/cgdash/containers/${id}`,
        '': `/sys/fs/cgroup/unified/cgdash/containers/${id}`,
      },
      config: { cgroups: { path: `cgdash/containers/${id}` }, rootfs: '/var/lib/cgdash/containers/other/rootfs' },
    };
    await writeFile(path.join(dir, id, 'state.json'), JSON.stringify(state));
    await retargetRuncState(dir, id, `cgdash/containers/${id}`, `cgdash/tenants/sally/${id}`);
    const after = JSON.parse(await readFile(path.join(dir, id, 'state.json'), 'utf8')) as typeof state;
    expect(after.cgroup_paths.memory).toBe(`/sys/fs/cgroup/memory/process_api/x/cgdash/tenants/sally/${id}`);
    expect(after.cgroup_paths['']).toBe(`/sys/fs/cgroup/unified/cgdash/tenants/sally/${id}`);
    expect(after.config.cgroups.path).toBe(`cgdash/tenants/sally/${id}`);
    expect(after.config.rootfs).toBe(state.config.rootfs);
    await expect(retargetRuncState(dir, id, `cgdash/containers/${id}`, `cgdash/tenants/joe/${id}`)).rejects.toThrow(/does not mention/);
  });
});

describe('patchOfLimits', () => {
  it('carries over what is set, and nothing that is not', () => {
    expect(
      patchOfLimits({
        cpu: { maxQuotaUs: 50_000, maxPeriodUs: 100_000, weight: null },
        cpuset: { cpus: '0', mems: '0', effectiveCpus: '0', effectiveMems: '0' },
        memory: { max: 64n << 20n, high: null, low: null, swapMax: null },
        io: { max: [], weight: null },
        pids: { max: null },
      }),
    ).toEqual({ cpuMaxQuotaUs: 50_000, cpuMaxPeriodUs: 100_000, cpusetCpus: '0', cpusetMems: '0', memoryMax: 64n << 20n });
  });
});
