import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseProcStatus } from './status';

const fixture = (p: string) => readFile(new URL(`./__fixtures__/proc/${p}`, import.meta.url), 'utf8');

describe('parseProcStatus', () => {
  it('reads ids, memory in bytes, threads and nested pids', async () => {
    const s = parseProcStatus(await fixture('100/status'));
    expect(s.name).toBe('evil) (name');
    expect(s.state).toEqual({ code: 'R', word: 'running' });
    expect(s.pid).toBe(100);
    expect(s.ppid).toBe(1);
    expect(s.uid).toEqual({ real: 1000, effective: 1000, saved: 1000, fs: 1000 });
    expect(s.groups).toEqual([1000, 27]);
    expect(s.vmRssBytes).toBe(2048 * 1024);
    expect(s.vmSizeBytes).toBe(8000 * 1024);
    expect(s.threads).toBe(3);
    expect(s.capEff).toBe('000001ffffffffff');
    expect(s.noNewPrivs).toBe(false);
    expect(s.seccomp).toBe(0);
    expect(s.cpusAllowedList).toBe('0-1');
    expect(s.voluntaryCtxtSwitches).toBe(12);
    expect(s.fields.Umask).toBe('0022');
  });

  it('gives the pid in every nested pid namespace', async () => {
    const s = parseProcStatus(await fixture('103/status'));
    expect(s.nspid).toEqual([103, 1]);
    expect(s.nstgid).toEqual([103, 1]);
  });

  it('has no memory for a kernel thread and tells uid fields apart', () => {
    const s = parseProcStatus('Name:\tkthreadd\nState:\tS (sleeping)\nPid:\t2\nPPid:\t0\nUid:\t0\t5\t6\t7\nThreads:\t1\n');
    expect(s.vmRssBytes).toBeNull();
    expect(s.uid).toEqual({ real: 0, effective: 5, saved: 6, fs: 7 });
    expect(s.groups).toEqual([]);
    expect(s.seccomp).toBeNull();
  });
});
