import path from 'node:path';
import { parseProcCgroup, type ProcCgroupEntry } from '@/server/cgroup/mounts';
import { commandOf, parseCmdline } from './cmdline';
import { readProcBytes, readProcText } from './files';
import { readNamespaceLinks, type NamespaceInodes } from './ns';
import { userNameOf, type UserNames } from './passwd';
import { isKernelThread, parseProcStat, type ProcStat } from './stat';
import { parseProcStatus, type IdQuad } from './status';

/**
 * USER_HZ, the unit of the times in /proc/PID/stat. It is part of the kernel ABI and 100 on
 * every architecture Linux still supports for servers (x86, arm64, ppc64, s390x, riscv);
 * Node has no sysconf(_SC_CLK_TCK), hence a constant that callers may override.
 */
export const DEFAULT_CLOCK_TICKS_PER_SEC = 100;

/** One process, as ps and top show it, plus its cgroups and namespaces. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Effective uid (ps's USER column) and its name. */
  uid: number;
  user: string;
  uids: IdQuad;
  gids: IdQuad;
  /** One letter, as in stat: R S D Z T t X I P. */
  state: string;
  comm: string;
  /** Arguments from cmdline; empty for kernel threads and zombies. */
  args: string[];
  /** ps `args` style: arguments joined by spaces, or `[comm]`. */
  command: string;
  isKernelThread: boolean;
  threads: number;
  rssBytes: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Ticks after boot; with pid, it names one process even when pids are reused. */
  startTimeTicks: number;
  /** Start time, milliseconds since the epoch (btime has whole seconds, so ±1 s). */
  startTimeMs: number;
  /** The pid in each nested pid namespace, outermost (ours) first. */
  nspid: number[];
  cgroups: ProcCgroupEntry[];
  namespaces: NamespaceInodes;
}

export interface ReadProcessContext {
  procRoot: string;
  userNames: UserNames;
  bootTimeSec: number;
  clockTicksPerSec: number;
}

/** Everything about one pid, or null when it exits while being read. */
export async function readProcess(pid: number, ctx: ReadProcessContext): Promise<ProcessInfo | null> {
  const dir = path.join(ctx.procRoot, String(pid));
  const [statText, statusText, cmdline, cgroupText] = await Promise.all([
    readProcText(path.join(dir, 'stat')),
    readProcText(path.join(dir, 'status')),
    readProcBytes(path.join(dir, 'cmdline')),
    readProcText(path.join(dir, 'cgroup')),
  ]);
  if (statText === null || statusText === null || cmdline === null || cgroupText === null) return null;
  const stat: ProcStat = parseProcStat(statText, path.join(dir, 'stat'));
  const status = parseProcStatus(statusText);
  const links = await readNamespaceLinks(ctx.procRoot, pid);
  const args = parseCmdline(cmdline);
  return {
    pid,
    ppid: stat.ppid,
    uid: status.uid.effective,
    user: userNameOf(ctx.userNames, status.uid.effective),
    uids: status.uid,
    gids: status.gid,
    state: stat.state,
    comm: stat.comm,
    args,
    command: commandOf(args, stat.comm, stat.state),
    isKernelThread: isKernelThread(stat),
    threads: status.threads || stat.numThreads,
    rssBytes: status.vmRssBytes ?? 0,
    utimeTicks: stat.utimeTicks,
    stimeTicks: stat.stimeTicks,
    startTimeTicks: stat.startTimeTicks,
    startTimeMs: Math.round((ctx.bootTimeSec + stat.startTimeTicks / ctx.clockTicksPerSec) * 1000),
    nspid: status.nspid,
    cgroups: parseProcCgroup(cgroupText),
    namespaces: links.namespaces,
  };
}
