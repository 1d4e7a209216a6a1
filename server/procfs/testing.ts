/**
 * Test support: processes a test starts itself, so that it can find them in /proc and kill
 * exactly them afterwards — never anything else, even if a pid gets reused meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseProcStat } from './stat';

export interface OwnedProcess {
  pid: number;
  /** Identity beyond the pid: /proc/PID/stat starttime when we saw it first. */
  startTimeTicks: number;
}

async function startTimeOf(pid: number): Promise<number | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8')).startTimeTicks;
  } catch {
    return null;
  }
}

export async function own(pid: number): Promise<OwnedProcess> {
  const startTimeTicks = await startTimeOf(pid);
  if (startTimeTicks === null) throw new Error(`process ${pid} is already gone`);
  return { pid, startTimeTicks };
}

/** Start a binary with an argument array; resolves once it runs (its /proc entry exists). */
export async function spawnOwned(file: string, args: readonly string[]): Promise<{ child: ChildProcess; owned: OwnedProcess }> {
  const child = spawn(file, args, { stdio: 'ignore', shell: false });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => (child.pid === undefined ? reject(new Error(`${file} has no pid`)) : resolve(child.pid)));
    child.once('error', reject);
  });
  return { child, owned: await own(pid) };
}

/** Pids of the children of a process (from /proc/PID/task/TID/children). */
export async function childrenOf(pid: number): Promise<number[]> {
  try {
    return (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Wait until `probe` gives a value (polling /proc, not timing anything); fail after `tries`. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined>, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Kill a process we started, only if it is still the same process. */
export async function killOwned(p: OwnedProcess | undefined): Promise<void> {
  if (!p) return;
  if ((await startTimeOf(p.pid)) !== p.startTimeTicks) return;
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    /* exited meanwhile */
  }
}
