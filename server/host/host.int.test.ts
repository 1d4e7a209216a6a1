import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectHierarchies } from '@/server/cgroup/mounts';
import { HostInfo } from './host';

async function uptimeSec(): Promise<number> {
  return Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
}

describe('HostInfo on this machine', () => {
  it('agrees with the kernel on CPUs, memory, kernel, uptime, disks and interfaces', async () => {
    const { mode } = await detectHierarchies({ managedRoot: 'cgdash' });
    const before = await uptimeSec();
    const facts = await new HostInfo().facts({ cgroupMode: mode });
    const after = await uptimeSec();

    expect(facts.cgroupMode).toBe(mode);
    expect(facts.cpu.cores).toBe(os.cpus().length);
    expect(facts.cpu.model.length).toBeGreaterThan(0);
    expect(facts.os.kernel).toBe(os.release());
    expect(facts.os.hostname).toBe(os.hostname());
    expect(facts.os.platform).toBe('linux');

    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1]);
    expect(facts.memory.totalBytes).toBe(memTotalKb * 1024);
    expect(facts.memory.availableBytes).toBeGreaterThan(0);
    expect(facts.memory.usedBytes + facts.memory.availableBytes).toBe(facts.memory.totalBytes);

    expect(facts.uptimeSec).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    expect(facts.uptimeSec).toBeLessThanOrEqual(Math.ceil(after) + 1);
    for (const v of Object.values(facts.loadAverage)) expect(v).toBeGreaterThanOrEqual(0);

    const root = facts.disks.find((d) => d.mount === '/');
    expect(root?.sizeBytes).toBeGreaterThan(0);
    expect((root?.usedBytes ?? 0) + (root?.availableBytes ?? 0)).toBeLessThanOrEqual(root?.sizeBytes ?? 0);

    const kernelNames = Object.keys(os.networkInterfaces());
    expect(facts.network.length).toBeGreaterThan(0);
    for (const n of facts.network) expect(kernelNames).toContain(n.name);
  });
});
