import { describe, expect, it } from 'vitest';
import {
  cpuListOutside,
  formatCpuList,
  normaliseCpuList,
  parseBlkioStat,
  parseCpuList,
  parseDeviceValues,
  ParseError,
  parseFlatKeyed,
  parseLimit,
  parseNestedKeyed,
  parseNumberLimit,
  parsePidList,
  parsePsi,
  parseUint,
  parseWeightFile,
} from './parse';

describe('parseLimit: the one place "no limit" becomes null', () => {
  it.each([
    ['max\n', null],
    ['-1\n', null],
    ['9223372036854771712\n', null], // LONG_MAX rounded to 4 KiB pages (v1 memory)
    ['9223372036854710272\n', null], // LONG_MAX rounded to 64 KiB pages
    ['9223372036854775807\n', null], // LONG_MAX (v1 memory on some kernels)
    ['18446744073709551615\n', null], // U64_MAX
    ['268435456\n', 268435456n],
    ['0\n', 0n],
  ])('%j → %s', (text, expected) => {
    expect(parseLimit(text, 'memory.max')).toBe(expected);
  });

  it('keeps values just below the page-rounded maximum', () => {
    expect(parseLimit('9223372036854640640', 'memory.max')).toBe(9223372036854640640n);
  });

  it('rejects garbage and other negatives, naming the file', () => {
    expect(() => parseLimit('lots', 'memory.max')).toThrow(ParseError);
    expect(() => parseLimit('-2', 'cpu.cfs_quota_us')).toThrow(/cpu\.cfs_quota_us/);
  });

  it('gives numbers for small limits', () => {
    expect(parseNumberLimit('64\n', 'pids.max')).toBe(64);
    expect(parseNumberLimit('max\n', 'pids.max')).toBeNull();
  });
});

describe('single values', () => {
  it('parses 64-bit counters exactly as bigint', () => {
    expect(parseUint('987654321098765432\n', 'cpuacct.usage')).toBe(987654321098765432n);
  });
  it('rejects empty and signed text', () => {
    expect(() => parseUint('', 'pids.current')).toThrow(/pids\.current/);
    expect(() => parseUint('-1', 'pids.current')).toThrow(ParseError);
  });
});

describe('flat keyed files', () => {
  it('reads cpu.stat with throttling', () => {
    const m = parseFlatKeyed('usage_usec 8876543\nuser_usec 6200000\nsystem_usec 2676543\nnr_periods 4711\nnr_throttled 123\nthrottled_usec 456789\n', 'cpu.stat');
    expect(m.get('usage_usec')).toBe(8876543n);
    expect(m.get('throttled_usec')).toBe(456789n);
    expect(m.size).toBe(6);
  });
  it('rejects a line without a value', () => {
    expect(() => parseFlatKeyed('anon 1\nfile\n', 'memory.stat')).toThrow(/memory\.stat/);
  });
  it('reads an empty file as empty', () => {
    expect(parseFlatKeyed('', 'memory.stat').size).toBe(0);
  });
});

describe('nested keyed files', () => {
  it('reads io.stat with several devices', () => {
    const m = parseNestedKeyed(
      '8:0 rbytes=10485760 wbytes=2097152 rios=2560 wios=512 dbytes=0 dios=0\n259:0 rbytes=65536 wbytes=0 rios=16 wios=0 dbytes=0 dios=0\n',
      'io.stat',
    );
    expect([...m.keys()]).toEqual(['8:0', '259:0']);
    expect(m.get('259:0')?.get('rios')).toBe('16');
  });
  it('reads io.max with "max"', () => {
    expect(parseNestedKeyed('8:16 rbps=max wbps=max riops=max wiops=200\n', 'io.max').get('8:16')?.get('wiops')).toBe('200');
  });
  it('rejects a pair without "="', () => {
    expect(() => parseNestedKeyed('8:0 rbytes\n', 'io.stat')).toThrow(/io\.stat/);
  });
});

describe('PSI', () => {
  it('reads some and full', () => {
    const psi = parsePsi('some avg10=12.50 avg60=8.25 avg300=3.00 total=987654\nfull avg10=1.50 avg60=0.75 avg300=0.25 total=12345\n', 'cpu.pressure');
    expect(psi.some).toEqual({ avg10: 12.5, avg60: 8.25, avg300: 3, totalUsec: 987654n });
    expect(psi.full?.totalUsec).toBe(12345n);
  });
  it('reads a file without a full line (root cpu.pressure on older kernels)', () => {
    expect(parsePsi('some avg10=2.50 avg60=1.25 avg300=0.50 total=123456789\n', 'cpu.pressure').full).toBeNull();
  });
  it('rejects a file without some', () => {
    expect(() => parsePsi('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', 'io.pressure')).toThrow(/no "some"/);
  });
});

describe('v1 blkio files', () => {
  it('reads io_service_bytes with Total lines', () => {
    const s = parseBlkioStat('8:0 Read 10485760\n8:0 Write 2097152\n8:0 Sync 1\n8:0 Async 2\n8:0 Discard 0\n8:0 Total 12582912\nTotal 12582912\n', 'blkio.throttle.io_service_bytes');
    expect(s.devices.get('8:0')?.get('Read')).toBe(10485760n);
    expect(s.total).toBe(12582912n);
  });
  it('reads an idle cgroup ("Total 0" only)', () => {
    const s = parseBlkioStat('Total 0\n', 'blkio.throttle.io_serviced');
    expect(s.devices.size).toBe(0);
    expect(s.total).toBe(0n);
  });
  it('reads and rejects per-device values', () => {
    expect(parseDeviceValues('8:0 1048576\n8:16 200\n', 'blkio.throttle.read_bps_device').get('8:16')).toBe(200n);
    expect(parseDeviceValues('', 'blkio.throttle.read_bps_device').size).toBe(0);
    expect(() => parseDeviceValues('sda 1\n', 'blkio.throttle.read_bps_device')).toThrow(ParseError);
  });
});

describe('weights and pid lists', () => {
  it('reads "default N", a bare N, and device overrides', () => {
    expect(parseWeightFile('default 100\n8:0 200\n', 'io.weight')).toEqual({ defaultWeight: 100, devices: new Map([['8:0', 200]]) });
    expect(parseWeightFile('500\n', 'blkio.weight').defaultWeight).toBe(500);
    expect(parseWeightFile('', 'blkio.weight_device').defaultWeight).toBeNull();
  });
  it('reads cgroup.procs', () => {
    expect(parsePidList('4343\n4344\n', 'cgroup.procs')).toEqual([4343, 4344]);
    expect(parsePidList('', 'cgroup.procs')).toEqual([]);
    expect(() => parsePidList('x\n', 'cgroup.procs')).toThrow(ParseError);
  });
});

describe('cpu lists', () => {
  it('parses, normalises and formats like the kernel', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('')).toEqual([]);
    expect(normaliseCpuList('6,3,0-2,2')).toBe('0-3,6');
    expect(formatCpuList([5, 1, 2, 3, 9])).toBe('1-3,5,9');
  });
  it.each(['a', '3-1', '0-', ',', '1,,2', '0-70000'])('rejects %j', (text) => {
    expect(parseCpuList(text)).toBeNull();
  });
  it('tells what is outside a superset', () => {
    expect(cpuListOutside([0, 1, 2, 3], [0, 1])).toEqual([2, 3]);
    expect(cpuListOutside([1], [0, 1])).toEqual([]);
  });
});
