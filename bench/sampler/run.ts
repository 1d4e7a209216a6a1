/**
 * Sampler benchmark: the cost of one sweep per cgroup for the C baseline (kept fds, pread,
 * minimal parsing, nothing else), the addon and the TypeScript sampler, on the same real
 * cgroups: 100, 500 and 1000 cgroups made by the cgroup module in every hierarchy under a
 * fresh test root. Sweeps alternate one by one (C, sampler, C, sampler...) so that both sides
 * of a ratio see the same load. Goal: the addon within 1.5× of C.
 *
 *   npx tsx bench/sampler/run.ts          (as root; prints and writes bench/out/sampler-<date>.md)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSampler, type CgroupSampler, type SampleTarget } from '@/server/monitor/sampler';
import { createManagedTestRoot, type ManagedTestRoot } from '@/server/monitor/sampler/testing';
import { Baseline, buildBaseline } from './baseline';
import { machineFacts } from './machine';
import { perCgroupUs, timeSweep, type SweepTime } from './measure';

const SIZES = [100, 500, 1000];
const ROUNDS = 5;
/** Alternating pairs per round: C against the addon, then C against TypeScript. */
const PAIRS = { addon: 20, ts: 4 };

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'out');

/** Grow the set to `n` cgroups named b0000..., each in every hierarchy. */
async function growCgroups(test: ManagedTestRoot, targets: SampleTarget[], n: number): Promise<void> {
  for (let i = targets.length; i < n; i++) {
    targets.push({ key: i, dirs: await test.cgroups.create(`b${String(i).padStart(4, '0')}`) });
  }
}

interface Pairs {
  c: SweepTime[];
  sampler: SweepTime[];
}

/**
 * `pairs` sweeps of the sampler alternating with the baseline's, the sampler's files opened
 * before and closed after (the addon and the TypeScript sampler together would need more
 * descriptors than the limit allows at 1000 cgroups).
 */
async function alternate(sampler: CgroupSampler, baseline: Baseline, targets: readonly SampleTarget[], pairs: number): Promise<Pairs> {
  const report = await sampler.setTargets(targets);
  if (report.errors.length) throw new Error(`${sampler.kind}: ${report.errors.length} files did not open: ${report.errors[0]?.message}`);
  if (report.openFiles !== baseline.files) throw new Error(`${sampler.kind} opened ${report.openFiles} files, the baseline ${baseline.files}`);
  const out: Pairs = { c: [], sampler: [] };
  try {
    await baseline.sweep(); // warm-up
    await timeSweep(sampler, targets.length);
    for (let i = 0; i < pairs; i++) {
      const c = () => baseline.sweep().then((t) => out.c.push(t));
      const s = () => timeSweep(sampler, targets.length).then((t) => out.sampler.push(t));
      if (i % 2) await s().then(c);
      else await c().then(s);
    }
  } finally {
    await sampler.setTargets([]);
  }
  return out;
}

interface Row {
  cgroups: number;
  files: number;
  addon: Pairs;
  ts: Pairs;
}

const fmt = (n: number) => n.toFixed(2);

function table(rows: Row[]): string {
  const lines = [
    '| cgroups | files | wall µs/cgroup: C | addon | TS | **addon/C** | TS/C | CPU µs/cgroup: C | addon | TS | **addon/C** | TS/C | fastest sweep: addon/C |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const cells = [String(r.cgroups), String(r.files)];
    for (const key of ['wallNs', 'cpuNs'] as const) {
      const us = (t: SweepTime[]) => perCgroupUs(t, key, r.cgroups);
      // Each ratio against the C sweeps that alternated with it.
      cells.push(
        fmt(us([...r.addon.c, ...r.ts.c])),
        fmt(us(r.addon.sampler)),
        fmt(us(r.ts.sampler)),
        `**${fmt(us(r.addon.sampler) / us(r.addon.c))}×**`,
        `${fmt(us(r.ts.sampler) / us(r.ts.c))}×`,
      );
    }
    const fastest = (t: SweepTime[]) => perCgroupUs(t, 'wallNs', r.cgroups, 'min');
    cells.push(`${fmt(fastest(r.addon.sampler) / fastest(r.addon.c))}×`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'cgdash-bench-sampler-'));
  const bin = await buildBaseline(here, work);
  const addon = createSampler({ prefer: 'native' });
  const ts = createSampler({ prefer: 'ts' });
  const test = await createManagedTestRoot();
  let interrupted = false;
  const onSignal = () => (interrupted = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const rows: Row[] = [];
  try {
    const targets: SampleTarget[] = [];
    for (const n of SIZES) {
      await growCgroups(test, targets, n);
      // The baseline opens exactly the files the addon keeps open.
      await addon.setTargets(targets);
      const listFile = path.join(work, `files-${n}.txt`);
      await writeFile(listFile, `${addon.openedFiles().map((f) => f.path).join('\n')}\n`);
      await addon.setTargets([]);
      const baseline = await Baseline.start(bin, listFile);
      const row: Row = { cgroups: n, files: baseline.files, addon: { c: [], sampler: [] }, ts: { c: [], sampler: [] } };
      try {
        for (let round = 0; round < ROUNDS && !interrupted; round++) {
          for (const [name, sampler] of [['addon', addon], ['ts', ts]] as const) {
            const p = await alternate(sampler, baseline, targets, PAIRS[name]);
            row[name].c.push(...p.c);
            row[name].sampler.push(...p.sampler);
          }
        }
      } finally {
        await baseline.stop();
      }
      if (interrupted) throw new Error('interrupted');
      rows.push(row);
      process.stderr.write(`sampler bench: ${n} cgroups done\n`);
    }
    const facts = await machineFacts(test.cgroups.mode, test.cgroups.hierarchies);
    const stamp = new Date().toISOString();
    const report = [
      `# Sampler benchmark, ${stamp.slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `- machine: ${facts.cpuModel}, ${facts.cores} cores; ${facts.kernel}; load average ${facts.loadAverage} at the end; Node ${facts.node}; libuv pool ${facts.threadpool}`,
      `- cgroups: ${facts.cgroupMode}: ${facts.hierarchies}`,
      `- addon: ${addon.reason}`,
      `- method: N empty cgroups, made by the cgroup module under a fresh test root, each in every hierarchy. Every sampler keeps its files open and reads each with one pread at offset 0.`,
      `  ${ROUNDS} rounds; per round ${PAIRS.addon} sweeps of the addon alternating with ${PAIRS.addon} of C, then ${PAIRS.ts} of TS alternating with ${PAIRS.ts} of C (one warm-up sweep each first).`,
      `  µs/cgroup: median of a sweep's time / N. Wall for the addon and TS: sample() call to resolved batch. CPU: process CPU time during the sweep, all threads (C: CLOCK_PROCESS_CPUTIME_ID).`,
      `  Fastest sweep: the least disturbed wall times (minimum over all sweeps) compared; on a loaded machine the median wall time of the addon also carries the waits for a CPU at its two thread hand-offs.`,
      `  A ratio compares a sampler with the C sweeps it alternated with. C baseline: bench/sampler/baseline.c (cc -O2): the same files, pread + a scan of the numbers, no N-API, no checks.`,
      '',
      table(rows),
      '',
    ].join('\n');
    process.stdout.write(report);
    const file = path.join(outDir, `sampler-${stamp.slice(0, 19).replace(/:/g, '')}.md`);
    await writeFile(file, report);
    process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await addon.close();
    await ts.close();
    await test.cleanup();
    await rm(work, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
