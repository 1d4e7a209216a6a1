/** `top` for a container: its processes with a few ps fields read from /proc. */
import { readFile } from 'node:fs/promises';

export interface ContainerProcess {
  pid: number;
  ppid: number;
  /** Real uid on the host. */
  uid: number;
  state: string;
  /** Resident set size in bytes. */
  rssBytes: number;
  /** User + system CPU time in clock ticks converted to milliseconds (USER_HZ = 100). */
  cpuTimeMs: number;
  command: string;
}

const clockTicksPerSec = 100;
const pageBytes = 4096;

export async function readProcess(pid: number, procRoot = '/proc'): Promise<ContainerProcess | null> {
  try {
    const [stat, status, cmdline] = await Promise.all([
      readFile(`${procRoot}/${pid}/stat`, 'utf8'),
      readFile(`${procRoot}/${pid}/status`, 'utf8'),
      readFile(`${procRoot}/${pid}/cmdline`, 'utf8'),
    ]);
    // comm may hold spaces and parentheses: the fields start after the last ')'
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const args = cmdline.split('\0').filter(Boolean);
    return {
      pid,
      ppid: Number(f[1]),
      uid,
      state: f[0] ?? '?',
      rssBytes: Number(f[21]) * pageBytes,
      cpuTimeMs: ((Number(f[11]) + Number(f[12])) * 1000) / clockTicksPerSec,
      command: args.length ? args.join(' ') : `[${comm}]`,
    };
  } catch {
    return null; // exited while we looked
  }
}

export async function readProcesses(pids: readonly number[], procRoot = '/proc'): Promise<ContainerProcess[]> {
  const list = await Promise.all(pids.map((p) => readProcess(p, procRoot)));
  return list.filter((p): p is ContainerProcess => p !== null).sort((a, b) => a.pid - b.pid);
}
