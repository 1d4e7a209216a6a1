/**
 * The C parsers against the TypeScript ones on text written to trip them: odd spacing, missing
 * keys, negative and oversized numbers, malformed lines, files larger than the first read.
 * Both samplers read the same files; values, present bits and errors must be the same.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeSampler } from './nativeSampler';
import type { SampleTarget } from './plan';
import { errorCodes, requireNativeAddon, rowsByKey } from './testing';
import { TsSampler } from './tsSampler';
import type { SampleBatch } from './types';

const v1 = { version: 1 as const, controllers: ['cpu', 'cpuacct', 'memory', 'blkio', 'pids'] };
const v2 = { version: 2 as const, controllers: ['cpu', 'memory', 'io', 'pids'] };

interface Case {
  name: string;
  dir: { version: 1 | 2; controllers: string[] };
  files: Record<string, string>;
  /** Whether the text is refused (an EPARSE error) or read. */
  refused: boolean;
}

const psi = (some: string, full?: string) => `some ${some}\n${full === undefined ? '' : `full ${full}\n`}`;
const avgs = 'avg10=0.00 avg60=1.50 avg300=2.25';
const filler = Array.from({ length: 8000 }, (_v, i) => `filler_key_${i} ${i}`).join('\n');

const cases: Case[] = [
  { name: 'v1 memory.stat with totals', dir: v1, refused: false, files: { 'memory.stat': 'rss 1\ntotal_rss 2\ncache 3\ntotal_cache 4\npgfault 5\ntotal_pgmajfault 6\n' } },
  { name: 'v1 memory.stat without totals', dir: v1, refused: false, files: { 'memory.stat': 'rss 10\ncache 20\npgmajfault 7' } },
  { name: 'negative value in a key not taken', dir: v1, refused: false, files: { 'memory.stat': 'rss -5\ntotal_rss 9\nworkingset -3\n' } },
  { name: 'negative value in a key taken', dir: v1, refused: true, files: { 'memory.stat': 'total_rss -9\n' } },
  { name: 'value beyond 2^64', dir: v1, refused: true, files: { 'memory.stat': 'total_cache 18446744073709551616\n' } },
  { name: 'huge value in a key not taken', dir: v1, refused: false, files: { 'memory.stat': 'total_cache 1\nhuge 99999999999999999999999\n' } },
  { name: 'a flat line with one word', dir: v1, refused: true, files: { 'memory.stat': 'rss\n' } },
  { name: 'a flat line with three words', dir: v1, refused: true, files: { 'memory.stat': 'rss 1 2\n' } },
  { name: 'tabs, CRLF and blank lines', dir: v2, refused: false, files: { 'cpu.stat': '\n usage_usec\t5 \r\n\nuser_usec   3\r\nsystem_usec 2\n\n' } },
  { name: 'a file larger than the first read', dir: v2, refused: false, files: { 'memory.stat': `anon 1\n${filler}\nfile 2\nkernel 3\n` } },
  { name: 'cpuacct ticks and ns', dir: v1, refused: false, files: { 'cpuacct.stat': 'user 12345\nsystem 1\n', 'cpuacct.usage': '  123456789 \n' } },
  { name: 'cpuacct ticks beyond 2^64 µs', dir: v1, refused: true, files: { 'cpuacct.stat': 'user 18446744073709551615\nsystem 0\n' } },
  { name: 'the largest u64 in ns', dir: v1, refused: false, files: { 'cpuacct.usage': '18446744073709551615' } },
  { name: 'an empty single-value file', dir: v1, refused: true, files: { 'pids.current': '' } },
  { name: '"max" where a number belongs', dir: v2, refused: true, files: { 'pids.current': 'max\n' } },
  { name: 'a signed single value', dir: v2, refused: true, files: { 'memory.current': '-1\n' } },
  { name: 'v1 throttled_time below 1 µs', dir: v1, refused: false, files: { 'cpu.stat': 'nr_periods 1\nnr_throttled 0\nthrottled_time 999\n' } },
  { name: 'v1 throttled_time negative', dir: v1, refused: true, files: { 'cpu.stat': 'throttled_time -999\n' } },
  { name: 'oom_control without oom_kill', dir: v1, refused: false, files: { 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 1\n', 'memory.failcnt': '0\n' } },
  { name: 'memsw minus usage is swap', dir: v1, refused: false, files: { 'memory.usage_in_bytes': '100\n', 'memory.memsw.usage_in_bytes': '150\n' } },
  { name: 'memsw below usage clamps at 0', dir: v1, refused: false, files: { 'memory.usage_in_bytes': '200\n', 'memory.memsw.usage_in_bytes': '150\n' } },
  { name: 'memsw without usage gives no swap', dir: v1, refused: false, files: { 'memory.memsw.usage_in_bytes': '150\n', 'memory.failcnt': '3\n' } },
  {
    name: 'blkio with Total lines',
    dir: v1,
    refused: false,
    files: { 'blkio.throttle.io_service_bytes_recursive': '8:0 Read 5\n8:0 Write 6\n8:0 Total 11\n8:16 Read 1\nTotal 12\n', 'blkio.throttle.io_serviced': '' },
  },
  { name: 'blkio Total without a number', dir: v1, refused: true, files: { 'blkio.throttle.io_serviced': 'Total x\n' } },
  { name: 'blkio device with 11 digits', dir: v1, refused: true, files: { 'blkio.throttle.io_serviced': '12345678901:0 Read 1\n' } },
  { name: 'blkio line with four words', dir: v1, refused: true, files: { 'blkio.throttle.io_serviced': '8:0 Read 1 2\n' } },
  { name: 'blkio negative', dir: v1, refused: true, files: { 'blkio.throttle.io_serviced': '8:0 Read -1\n' } },
  { name: 'io.stat empty and bare device lines', dir: v2, refused: false, files: { 'io.stat': '8:0\n\n' } },
  { name: 'io.stat odd keys not taken', dir: v2, refused: false, files: { 'io.stat': '8:0 rbytes=1 wbytes=2 dbytes=-3 x=y\n259:0 rios=4 wios=5\n' } },
  { name: 'io.stat a pair without a key', dir: v2, refused: true, files: { 'io.stat': '8:0 =5\n' } },
  { name: 'io.stat an empty value', dir: v2, refused: true, files: { 'io.stat': '8:0 rbytes=\n' } },
  { name: 'io.stat a value with "="', dir: v2, refused: true, files: { 'io.stat': '8:0 rbytes=1=2\n' } },
  { name: 'memory.events with keys missing', dir: v2, refused: false, files: { 'memory.events': 'low 1\nmax 3\n' } },
  { name: 'PSI without a full line', dir: v2, refused: false, files: { 'memory.pressure': psi(`${avgs} total=7`) } },
  { name: 'PSI with odd averages', dir: v2, refused: false, files: { 'io.pressure': psi('avg10= avg60=1e3 avg300=.5 total=1 junk', `avg10=+1 avg60=2. avg300=0 total=2`) } },
  { name: 'PSI infinite average', dir: v2, refused: true, files: { 'io.pressure': psi('avg10=1e999 avg60=0 avg300=0 total=1') } },
  { name: 'PSI full only', dir: v2, refused: true, files: { 'cpu.pressure': `full ${avgs} total=1\n` } },
  { name: 'PSI without total', dir: v2, refused: true, files: { 'cpu.pressure': psi(avgs) } },
  { name: 'PSI negative total', dir: v2, refused: true, files: { 'cpu.pressure': psi(`${avgs} total=-1`) } },
  { name: 'PSI unknown line', dir: v2, refused: true, files: { 'cpu.pressure': `${psi(`${avgs} total=1`)}partial ${avgs} total=2\n` } },
  { name: 'PSI some twice: the last wins', dir: v2, refused: false, files: { 'cpu.pressure': `${psi(`${avgs} total=1`)}some ${avgs} total=2\n` } },
  { name: 'PSI total too big for a field', dir: v2, refused: true, files: { 'memory.pressure': psi(`${avgs} total=1`, `${avgs} total=18446744073709551616`) } },
  { name: 'cpu.pressure full total too big (not taken)', dir: v2, refused: false, files: { 'cpu.pressure': psi(`${avgs} total=1`, `${avgs} total=18446744073709551616`) } },
];

describe('native and TypeScript parsers on tricky files', () => {
  let root: string;
  let targets: SampleTarget[];
  let native: SampleBatch;
  let ts: SampleBatch;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cgdash-sampler-parity-'));
    targets = [];
    for (const [i, c] of cases.entries()) {
      const dir = path.join(root, `case-${i}`);
      await mkdir(dir);
      for (const [name, text] of Object.entries(c.files)) await writeFile(path.join(dir, name), text);
      targets.push({ key: i, dirs: [{ dir, ...c.dir }] });
    }
    const samplers = [new NativeSampler(requireNativeAddon()), new TsSampler()];
    try {
      for (const s of samplers) await s.setTargets(targets);
      [native, ts] = [await samplers[0]!.sample(), await samplers[1]!.sample()];
    } finally {
      for (const s of samplers) await s.close();
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i] as Case;
    const mine = (b: SampleBatch) => ({ row: rowsByKey(b).get(i), errors: errorCodes({ errors: b.errors.filter((e) => e.key === i) }) });
    expect(mine(native)).toEqual(mine(ts));
    const { row, errors } = mine(ts);
    if (c.refused) {
      expect(errors.some((e) => e.endsWith(' EPARSE'))).toBe(true);
    } else {
      expect(errors).toEqual([]);
      expect(Object.keys(row ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('reads what the test files say', () => {
    const rows = rowsByKey(native);
    const row = (name: string) => rows.get(cases.findIndex((c) => c.name === name));
    expect(row('v1 memory.stat with totals')).toEqual({ 'memory.anon': 2n, 'memory.file': 4n, 'memory.pgfault': 5n, 'memory.pgmajfault': 6n });
    expect(row('cpuacct ticks and ns')).toEqual({ 'cpu.usage_usec': 123456n, 'cpu.user_usec': 123_450_000n, 'cpu.system_usec': 10_000n });
    expect(row('memsw minus usage is swap')).toEqual({ 'memory.current': 100n, 'memory.swap.current': 50n });
    expect(row('oom_control without oom_kill')).toEqual({ 'memory.events.max': 0n });
    expect(row('memsw without usage gives no swap')).toEqual({ 'memory.events.max': 3n });
    expect(row('blkio with Total lines')).toEqual({ 'io.rbytes': 6n, 'io.wbytes': 6n, 'io.rios': 0n, 'io.wios': 0n });
    expect(row('a file larger than the first read')).toMatchObject({ 'memory.anon': 1n, 'memory.file': 2n, 'memory.kernel': 3n });
    expect(row('PSI some twice: the last wins')).toEqual({ 'cpu.pressure.some.total': 2n });
  });
});

describe('files that fail to open', () => {
  it('are reported by both samplers, and the target is opened afresh by the next setTargets', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cgdash-sampler-open-'));
    const samplers = [new NativeSampler(requireNativeAddon()), new TsSampler()];
    try {
      await writeFile(path.join(dir, 'real.current'), '42\n');
      // O_NOFOLLOW: a symlink where a control file belongs is refused (ELOOP), never followed.
      await symlink(path.join(dir, 'real.current'), path.join(dir, 'memory.current'));
      const targets: SampleTarget[] = [{ key: 5, dirs: [{ dir, version: 2, controllers: ['memory'] }] }];
      for (const s of samplers) {
        const first = await s.setTargets(targets);
        expect(first.errors.map((e) => [e.key, path.basename(e.file), e.code])).toEqual([[5, 'memory.current', 'ELOOP']]);
        expect(rowsByKey(await s.sample()).get(5)).toEqual({});
      }
      await rm(path.join(dir, 'memory.current'));
      await writeFile(path.join(dir, 'memory.current'), '42\n');
      for (const s of samplers) {
        expect(await s.setTargets(targets)).toMatchObject({ kept: 0, opened: 1, errors: [] });
        expect(rowsByKey(await s.sample()).get(5)).toEqual({ 'memory.current': 42n });
        expect(await s.setTargets(targets)).toMatchObject({ kept: 1, opened: 0 });
      }
    } finally {
      for (const s of samplers) await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
