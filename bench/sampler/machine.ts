/** Facts about the machine a benchmark ran on, for the report. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { CgroupMode, Hierarchy } from '@/server/cgroup';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  kernel: string;
  loadAverage: string;
  cgroupMode: string;
  hierarchies: string;
  node: string;
  threadpool: string;
}

export async function machineFacts(mode: CgroupMode, hierarchies: readonly Hierarchy[]): Promise<MachineFacts> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpuModel: model,
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(' '),
    cgroupMode: mode,
    hierarchies: hierarchies.map((h) => (h.version === 2 ? `unified (${h.controllers.join(',') || 'no controllers'})` : h.controllers.join(','))).join('; '),
    node: process.version,
    threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
}
