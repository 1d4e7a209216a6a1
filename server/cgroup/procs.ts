/**
 * cgroup.procs, the one membership file both kernels share: read the pids of a cgroup, move one
 * in. Writing a pid moves the whole process (all its threads) on v1 and v2 alike.
 */
import { readOptional, writeCgroupFile, type CgroupDir } from './fsio';
import { parsePidList } from './parse';

/** Processes in this cgroup itself (not its descendants); [] when the cgroup vanished. */
export async function readCgroupProcs(d: CgroupDir): Promise<number[]> {
  const text = await readOptional(d, 'cgroup.procs');
  return text === null ? [] : parsePidList(text, 'cgroup.procs');
}

export async function writeCgroupProcs(d: CgroupDir, pid: number): Promise<void> {
  await writeCgroupFile(d, 'cgroup.procs', String(pid), 'pid');
}

/** Small pause between polls of a state the kernel settles asynchronously (freezer, exit). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
