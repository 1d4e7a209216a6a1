import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '@/server/cgroup/parse';
import { fixturePath } from '@/server/cgroup/testing';
import { FIELD_COUNT, FIELD_NAMES, Field, fieldBit } from './fields';
import { finishSwap, parseSampleFile, type FieldValues } from './fileParsers';
import type { FileKind } from './kinds';

const v1Web = {
  cpu: path.join(fixturePath('v1'), 'sys/fs/cgroup/cpu,cpuacct/system.slice/cgdash/web'),
  memory: path.join(fixturePath('v1'), 'sys/fs/cgroup/memory/system.slice/cgdash.service/cgdash/web'),
  blkio: path.join(fixturePath('v1'), 'sys/fs/cgroup/blkio/system.slice/cgdash/web'),
};
const v2Web = path.join(fixturePath('v2'), 'sys/fs/cgroup/system.slice/cgdash.service/cgdash/web');

function named(values: FieldValues): Record<string, bigint> {
  return Object.fromEntries(values.map(([f, v]) => [FIELD_NAMES[f] ?? `#${f}`, v]));
}

function parseFixture(kind: FileKind, dir: string, file: string): Record<string, bigint> {
  const p = path.join(dir, file);
  return named(parseSampleFile(kind, readFileSync(p, 'utf8'), p));
}

describe('parseSampleFile on the v1 fixture', () => {
  it('converts cpuacct usage (ns) and stat (USER_HZ ticks) to µs', () => {
    const usageNs = BigInt(readFileSync(path.join(v1Web.cpu, 'cpuacct.usage'), 'utf8').trim());
    expect(parseFixture('v1.cpuacct.usage', v1Web.cpu, 'cpuacct.usage')).toEqual({ 'cpu.usage_usec': usageNs / 1000n });
    expect(parseFixture('v1.cpuacct.stat', v1Web.cpu, 'cpuacct.stat')).toEqual({ 'cpu.user_usec': 7_000_000n, 'cpu.system_usec': 2_500_000n });
  });

  it('reads throttling from cpu.stat with throttled_time in ns', () => {
    expect(parseFixture('v1.cpu.stat', v1Web.cpu, 'cpu.stat')).toEqual({
      'cpu.nr_periods': 4711n,
      'cpu.nr_throttled': 123n,
      'cpu.throttled_usec': 9_876_543n,
    });
  });

  it('takes the hierarchical total_* keys of memory.stat', () => {
    expect(parseFixture('v1.memory.stat', v1Web.memory, 'memory.stat')).toEqual({
      'memory.anon': 73_400_320n,
      'memory.file': 31_457_280n,
      'memory.pgfault': 123_456n,
      'memory.pgmajfault': 42n,
    });
  });

  it('sums Read and Write of every device, leaving out the Total lines', () => {
    expect(parseFixture('v1.blkio.io_service_bytes', v1Web.blkio, 'blkio.throttle.io_service_bytes_recursive')).toEqual({
      'io.rbytes': 10_485_760n,
      'io.wbytes': 2_097_152n + 4096n,
    });
  });

  it('reads oom_kill from memory.oom_control and failcnt as the max event', () => {
    expect(parseFixture('v1.memory.oom_control', v1Web.memory, 'memory.oom_control')).toEqual({ 'memory.events.oom_kill': 2n });
    expect(parseFixture('v1.memory.failcnt', v1Web.memory, 'memory.failcnt')).toEqual({ 'memory.events.max': 7n });
  });
});

describe('parseSampleFile on the v2 fixture', () => {
  it('reads cpu.stat in µs', () => {
    const stat = parseFixture('v2.cpu.stat', v2Web, 'cpu.stat');
    expect(Object.keys(stat)).toEqual(['cpu.usage_usec', 'cpu.user_usec', 'cpu.system_usec', 'cpu.nr_periods', 'cpu.nr_throttled', 'cpu.throttled_usec']);
  });

  it('reads memory.stat anon/file/kernel and the fault counters', () => {
    expect(parseFixture('v2.memory.stat', v2Web, 'memory.stat')).toEqual({
      'memory.anon': 73_400_320n,
      'memory.file': 31_457_280n,
      'memory.kernel': 5_242_880n,
      'memory.pgfault': 123_456n,
      'memory.pgmajfault': 42n,
    });
  });

  it('sums io.stat over devices', () => {
    expect(parseFixture('v2.io.stat', v2Web, 'io.stat')).toEqual({
      'io.rbytes': 10_485_760n + 65_536n,
      'io.wbytes': 2_097_152n + 4096n,
      'io.rios': 2560n + 16n,
      'io.wios': 513n,
    });
  });

  it('reads memory.events and the PSI totals', () => {
    expect(parseFixture('v2.memory.events', v2Web, 'memory.events')).toEqual({
      'memory.events.oom': 2n,
      'memory.events.oom_kill': 2n,
      'memory.events.high': 17n,
      'memory.events.max': 7n,
    });
    expect(parseFixture('v2.cpu.pressure', v2Web, 'cpu.pressure')).toEqual({ 'cpu.pressure.some.total': 987_654n });
  });
});

describe('parseSampleFile rules', () => {
  const parse = (kind: FileKind, text: string) => named(parseSampleFile(kind, text, kind));

  it('uses the cgroup-local keys where a v1 kernel has no total_*', () => {
    expect(parse('v1.memory.stat', 'rss 10\ncache 20\npgfault 3\n')).toEqual({ 'memory.anon': 10n, 'memory.file': 20n, 'memory.pgfault': 3n });
  });

  it('leaves out what a file does not have', () => {
    expect(parse('v2.memory.pressure', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n')).toEqual({ 'memory.pressure.some.total': 5n });
    expect(parse('v1.memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\n')).toEqual({});
    expect(parse('v2.memory.events', 'low 0\nmax 3\n')).toEqual({
      'memory.events.oom': 0n,
      'memory.events.oom_kill': 0n,
      'memory.events.high': 0n,
      'memory.events.max': 3n,
    });
  });

  it('refuses text the kernel does not write, negative and too big values', () => {
    expect(() => parse('pids.current', 'max\n')).toThrow(ParseError);
    expect(() => parse('v2.cpu.stat', 'usage_usec\n')).toThrow(ParseError);
    expect(() => parse('v2.cpu.stat', 'usage_usec -5\n')).toThrow(/not a 64-bit unsigned value/);
    expect(() => parse('v2.memory.current', '18446744073709551616\n')).toThrow(/not a 64-bit unsigned value/);
    expect(() => parse('v2.io.stat', '8:0 rbytes=1 junk\n')).toThrow(ParseError);
    expect(() => parse('v2.cpu.pressure', 'some avg10=x avg60=0 avg300=0 total=1\n')).toThrow(ParseError);
    expect(() => parse('v1.blkio.io_serviced', '8:0 Read\n')).toThrow(ParseError);
  });

  it('accepts a negative value in a key it does not take, and the largest u64', () => {
    expect(parse('v2.cpu.stat', 'usage_usec 18446744073709551615\nnice_usec -1\n')).toEqual({ 'cpu.usage_usec': 18_446_744_073_709_551_615n });
  });
});

describe('finishSwap', () => {
  const swap = Field.memorySwapCurrentBytes;
  const current = Field.memoryCurrentBytes;
  const both = (fieldBit(swap) | fieldBit(current)) >>> 0;

  it('turns v1 memory+swap into swap alone, clamped at 0', () => {
    const values = new BigUint64Array(FIELD_COUNT);
    values[swap] = 100n;
    values[current] = 30n;
    expect(finishSwap(values, 0, both, true)).toBe(both);
    expect(values[swap]).toBe(70n);
    values[swap] = 20n;
    finishSwap(values, 0, both, true);
    expect(values[swap]).toBe(0n);
  });

  it('drops swap when memory.current was not read, and leaves v2 swap alone', () => {
    const values = new BigUint64Array(FIELD_COUNT);
    values[swap] = 100n;
    expect(finishSwap(values, 0, fieldBit(swap), true)).toBe(0);
    expect(values[swap]).toBe(0n);
    values[swap] = 100n;
    expect(finishSwap(values, 0, both, false)).toBe(both);
    expect(values[swap]).toBe(100n);
  });
});
