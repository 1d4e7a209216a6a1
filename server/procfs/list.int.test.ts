import { readFile, readlink } from 'node:fs/promises';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execOk } from '@/server/lib/exec';
import { getProcess, listProcesses } from './list';
import { NAMESPACE_TYPES, parseNsLink } from './ns';
import type { ProcessInfo } from './process';
import { ProcessSampler } from './sampler';
import { childrenOf, killOwned, own, spawnOwned, waitFor, type OwnedProcess } from './testing';

interface PsRow {
  pid: number;
  ppid: number;
  user: string;
  threads: number;
  rssBytes: number;
  command: string;
}

/** `ps` on the same machine: the independent reading we compare with. */
async function ps(): Promise<PsRow[]> {
  const { stdout } = await execOk('ps', ['-e', '-ww', '-o', 'pid=,ppid=,euser:64=,nlwp=,rss=,args=']);
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected ps line: ${line}`);
      return { pid: +m[1]!, ppid: +m[2]!, user: m[3]!, threads: +m[4]!, rssBytes: +m[5]! * 1024, command: m[6]!.trim() };
    });
}

const asPs = (p: ProcessInfo): PsRow => ({
  pid: p.pid,
  ppid: p.ppid,
  user: p.user,
  threads: p.threads,
  rssBytes: p.rssBytes,
  command: p.command.trim(),
});

async function selfNs(type: string): Promise<number | undefined> {
  return parseNsLink(await readlink(`/proc/self/ns/${type}`))?.inode;
}

async function selfCgroupLines(): Promise<string[]> {
  return (await readFile('/proc/self/cgroup', 'utf8')).split('\n').filter(Boolean);
}

describe('listProcesses on this machine', () => {
  let sleeper: OwnedProcess | undefined;
  let unshareProc: OwnedProcess | undefined;
  let unshared: OwnedProcess | undefined;
  let busy: OwnedProcess | undefined;

  beforeAll(async () => {
    sleeper = (await spawnOwned('sleep', ['300'])).owned;
    unshareProc = (await spawnOwned('unshare', ['--uts', '--ipc', '--fork', '--kill-child', 'sleep', '301'])).owned;
    const child = await waitFor(async () => (await childrenOf(unshareProc?.pid ?? 0))[0], 'the unshared sleep');
    unshared = await own(child);
    await waitFor(async () => ((await readlink(`/proc/${child}/exe`).catch(() => '')).endsWith('/sleep') ? true : null), 'sleep to exec');
  });

  afterAll(async () => {
    for (const p of [busy, unshared, unshareProc, sleeper]) await killOwned(p);
  });

  it('reads a sleep it started: parent, user, state, threads, memory, cgroups, namespaces', async () => {
    const p = (await listProcesses()).find((x) => x.pid === sleeper?.pid);
    expect(p).toMatchObject({
      ppid: process.pid,
      uid: process.getuid?.(),
      user: 'root',
      state: 'S',
      comm: 'sleep',
      args: ['sleep', '300'],
      command: 'sleep 300',
      isKernelThread: false,
      threads: 1,
      startTimeTicks: sleeper?.startTimeTicks,
    });
    expect(p?.rssBytes).toBeGreaterThan(0);
    // Started after this test process, and not in the future.
    const me = await getProcess(process.pid);
    expect(p?.startTimeMs).toBeGreaterThanOrEqual(me?.startTimeMs ?? Infinity);
    expect(p?.startTimeMs).toBeLessThanOrEqual(Date.now() + 1000);
    // A child inherits our cgroups and namespaces.
    expect(p?.cgroups.map((c) => `${c.hierarchyId}:${c.controllers.join(',')}:${c.path}`)).toEqual(await selfCgroupLines());
    for (const t of NAMESPACE_TYPES) expect(p?.namespaces[t], t).toBe(await selfNs(t));
  });

  it('sees the process started by unshare in its own uts and ipc namespaces', async () => {
    const p = await getProcess(unshared?.pid ?? 0);
    expect(p).toMatchObject({ ppid: unshareProc?.pid, command: 'sleep 301' });
    for (const t of NAMESPACE_TYPES) {
      if (t === 'uts' || t === 'ipc') expect(p?.namespaces[t], t).not.toBe(await selfNs(t));
      else expect(p?.namespaces[t], t).toBe(await selfNs(t));
    }
  });

  it('agrees with ps on every process that stayed the same while ps ran', async () => {
    let problems: string[] = [];
    let compared = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = new Map((await listProcesses()).map((p) => [p.pid, asPs(p)]));
      const theirs = await ps();
      const after = new Map((await listProcesses()).map((p) => [p.pid, asPs(p)]));
      problems = [];
      compared = 0;
      for (const row of theirs) {
        const a = before.get(row.pid);
        const b = after.get(row.pid);
        // Only a process that looked the same before and after ps can be held to ps's view.
        if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) continue;
        compared++;
        if (JSON.stringify(a) !== JSON.stringify(row)) problems.push(`ps ${JSON.stringify(row)} vs ours ${JSON.stringify(a)}`);
      }
      if (problems.length === 0) break;
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(10);
  });

  it('gives kernel threads in brackets, like ps', async () => {
    const list = await listProcesses();
    const kernel = list.filter((p) => p.isKernelThread);
    expect(kernel.length).toBeGreaterThan(0);
    for (const k of kernel) {
      expect(k.command).toBe(`[${k.comm}]`);
      expect(k.rssBytes).toBe(0);
    }
  });

  it('measures CPU: null at first, then a busy process high and a sleeping one at zero', async () => {
    busy = (await spawnOwned(process.execPath, ['-e', 'for (;;) {}'])).owned;
    const sampler = new ProcessSampler();
    const first = await sampler.sample();
    expect(first.find((p) => p.pid === busy?.pid)?.cpuPercent).toBeNull();
    expect(first.find((p) => p.pid === sleeper?.pid)?.cpuPercent).toBeNull();
    const busyTicksAtStart = (first.find((p) => p.pid === busy?.pid)?.utimeTicks ?? 0) + (first.find((p) => p.pid === busy?.pid)?.stimeTicks ?? 0);
    // Sample until the busy loop has used at least half a second of CPU since the first sample.
    const second = await waitFor(async () => {
      const s = await sampler.sample();
      const b = s.find((p) => p.pid === busy?.pid);
      return b && b.utimeTicks + b.stimeTicks - busyTicksAtStart >= 50 ? s : null;
    }, 'the busy loop to use CPU', 400);
    const busyCpu = second.find((p) => p.pid === busy?.pid)?.cpuPercent;
    expect(busyCpu).not.toBeNull();
    expect(busyCpu).toBeGreaterThan(10);
    // percent of ONE cpu: a single-threaded loop cannot exceed what the machine has
    expect(busyCpu).toBeLessThanOrEqual(100 * os.availableParallelism());
    expect(second.find((p) => p.pid === sleeper?.pid)?.cpuPercent).toBe(0);
  });
});
