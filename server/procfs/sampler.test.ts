import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessSampler } from './sampler';

const fixture = fileURLToPath(new URL('./__fixtures__/proc', import.meta.url));
const passwdPath = fileURLToPath(new URL('./__fixtures__/passwd', import.meta.url));

/** Rewrite fields of a fixture stat line; `n` counts as in proc(5) (1 = pid). */
async function setStatFields(procRoot: string, pid: number, values: Record<number, number>) {
  const file = path.join(procRoot, String(pid), 'stat');
  const text = await readFile(file, 'utf8');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).trim().split(' ');
  for (const [n, v] of Object.entries(values)) rest[Number(n) - 3] = String(v);
  await writeFile(file, `${text.slice(0, close + 2)}${rest.join(' ')}\n`);
}

describe('ProcessSampler', () => {
  let procRoot: string;
  let nowMs = 0;
  beforeEach(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cgdash-procfs-'));
    procRoot = path.join(dir, 'proc');
    await cp(fixture, procRoot, { recursive: true, verbatimSymlinks: true });
    nowMs = 10_000;
  });
  afterEach(async () => {
    await rm(path.dirname(procRoot), { recursive: true, force: true });
  });

  const sampler = () => new ProcessSampler({ procRoot, passwdPath, nowMs: () => nowMs });

  it('has no cpu figure on the first sample', async () => {
    const samples = await sampler().sample();
    expect(samples.length).toBe(5);
    for (const s of samples) expect(s.cpuPercent).toBeNull();
  });

  it('computes cpu percent from utime+stime ticks over the elapsed time', async () => {
    const s = sampler();
    await s.sample();
    // pid 100: utime 1234 -> 1284 and stime 567 -> 617: 100 ticks = 1 s of CPU in 2 s.
    await setStatFields(procRoot, 100, { 14: 1284, 15: 617 });
    // pid 1: 300 ticks = 3 s of CPU in 2 s: busy on more than one CPU.
    await setStatFields(procRoot, 1, { 14: 300, 15: 400 });
    nowMs += 2_000;
    const second = await s.sample();
    const byPid = new Map(second.map((x) => [x.pid, x.cpuPercent]));
    expect(byPid.get(100)).toBeCloseTo(50, 6);
    expect(byPid.get(1)).toBeCloseTo(150, 6);
    expect(byPid.get(103)).toBe(0);
  });

  it('starts over when a pid is reused by a new process', async () => {
    const s = sampler();
    await s.sample();
    await setStatFields(procRoot, 103, { 22: 9000, 14: 50 });
    nowMs += 1_000;
    const second = await s.sample();
    expect(second.find((x) => x.pid === 103)?.cpuPercent).toBeNull();
    nowMs += 1_000;
    await setStatFields(procRoot, 103, { 14: 60 });
    const third = await s.sample();
    expect(third.find((x) => x.pid === 103)?.cpuPercent).toBeCloseTo(10, 6);
  });

  it('forgets a process that went away', async () => {
    const s = sampler();
    await s.sample();
    await rm(path.join(procRoot, '103'), { recursive: true });
    nowMs += 1_000;
    expect((await s.sample()).some((x) => x.pid === 103)).toBe(false);
    await cp(path.join(fixture, '103'), path.join(procRoot, '103'), { recursive: true, verbatimSymlinks: true });
    nowMs += 1_000;
    expect((await s.sample()).find((x) => x.pid === 103)?.cpuPercent).toBeNull();
  });
});
