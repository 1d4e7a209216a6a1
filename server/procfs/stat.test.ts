import { describe, expect, it } from 'vitest';
import { isKernelThread, parseBootTimeSec, parseProcStat } from './stat';

const kthreadd =
  '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 18 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

describe('parseProcStat', () => {
  it('reads the fields of an ordinary line', () => {
    const s = parseProcStat(
      '8933 (cat) R 8930 8930 3893 0 -1 4194304 102 0 7 0 11 22 3 4 20 0 1 0 104951 3133440 415 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n',
    );
    expect(s).toMatchObject({
      pid: 8933,
      comm: 'cat',
      state: 'R',
      ppid: 8930,
      pgrp: 8930,
      session: 3893,
      flags: 4194304,
      minflt: 102,
      majflt: 7,
      utimeTicks: 11,
      stimeTicks: 22,
      cutimeTicks: 3,
      cstimeTicks: 4,
      nice: 0,
      numThreads: 1,
      startTimeTicks: 104951,
      vsizeBytes: 3133440,
      rssPages: 415,
      processor: 1,
    });
    expect(isKernelThread(s)).toBe(false);
  });

  it('takes comm up to the LAST parenthesis, whatever it contains', () => {
    const s = parseProcStat('100 (evil) (name) R 1 100 100 34816 100 4194304 300 0 2 0 1234 567 0 0 20 0 3 0 5000 10000000 512 0');
    expect(s.comm).toBe('evil) (name');
    expect(s.state).toBe('R');
    expect(s.ppid).toBe(1);
    expect(s.utimeTicks).toBe(1234);
    expect(s.stimeTicks).toBe(567);
    expect(s.numThreads).toBe(3);
    expect(s.startTimeTicks).toBe(5000);
  });

  it('keeps spaces and an empty comm', () => {
    expect(parseProcStat('7 (a b  c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 0').comm).toBe('a b  c');
    expect(parseProcStat('7 () S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 0').comm).toBe('');
  });

  it('recognises kernel threads by PF_KTHREAD', () => {
    const s = parseProcStat(kthreadd);
    expect(s.ppid).toBe(0);
    expect(isKernelThread(s)).toBe(true);
  });

  it('rejects what is not a stat line', () => {
    expect(() => parseProcStat('hello', '/proc/9/stat')).toThrow(/\/proc\/9\/stat: not a \/proc\/PID\/stat line/);
    expect(() => parseProcStat('9 (x) S 1 2')).toThrow(/not a/);
  });
});

describe('parseBootTimeSec', () => {
  it('finds btime in /proc/stat', () => {
    expect(parseBootTimeSec('cpu  1 2 3\nintr 5\nbtime 1795915233\nprocesses 9\n')).toBe(1795915233);
  });
  it('fails clearly without it', () => {
    expect(() => parseBootTimeSec('cpu 1 2 3\n')).toThrow(/btime/);
  });
});
