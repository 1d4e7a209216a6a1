import { describe, expect, it } from 'vitest';
import { Field, fieldBit, fieldMask } from './fields';
import { claimFields, planTarget, type PlannedFile, type SampleTargetDir } from './plan';

/** Which file ends up giving which field when every file in `exists` opens. */
function claims(plan: PlannedFile[], exists: (f: PlannedFile) => boolean = () => true): Map<string, string> {
  const out = new Map<string, string>();
  let claimed = 0;
  for (const f of plan) {
    const want = claimFields(f, claimed);
    if (!want || !exists(f)) continue;
    claimed = (claimed | want) >>> 0;
    for (const [id, index] of Object.entries(Field)) if (want & fieldBit(index)) out.set(id, `${f.dir}:${f.name}`);
  }
  return out;
}

const hybrid: SampleTargetDir[] = [
  { dir: '/sys/fs/cgroup/cpu/x', version: 1, controllers: ['cpu'] },
  { dir: '/sys/fs/cgroup/cpuacct/x', version: 1, controllers: ['cpuacct'] },
  { dir: '/sys/fs/cgroup/cpuset/x', version: 1, controllers: ['cpuset'] },
  { dir: '/sys/fs/cgroup/memory/x', version: 1, controllers: ['memory'] },
  { dir: '/sys/fs/cgroup/blkio/x', version: 1, controllers: ['blkio'] },
  { dir: '/sys/fs/cgroup/pids/x', version: 1, controllers: ['pids'] },
  { dir: '/sys/fs/cgroup/systemd/x', version: 1, controllers: ['name=systemd'] },
  { dir: '/sys/fs/cgroup/unified/x', version: 2, controllers: [] },
];

describe('planTarget', () => {
  it('on a hybrid host takes cpu and memory from v1 and only PSI from the unified directory', () => {
    const c = claims(planTarget(hybrid));
    expect(c.get('cpuUsageUsec')).toBe('1:cpuacct.usage');
    expect(c.get('cpuUserUsec')).toBe('1:cpuacct.stat');
    expect(c.get('cpuNrThrottled')).toBe('0:cpu.stat');
    expect(c.get('memoryCurrentBytes')).toBe('3:memory.usage_in_bytes');
    expect(c.get('memorySwapCurrentBytes')).toBe('3:memory.memsw.usage_in_bytes');
    expect(c.get('ioRbytes')).toBe('4:blkio.throttle.io_service_bytes_recursive');
    expect(c.get('ioRios')).toBe('4:blkio.throttle.io_serviced_recursive');
    expect(c.get('pidsCurrent')).toBe('5:pids.current');
    expect(c.get('psiCpuSomeTotalUsec')).toBe('7:cpu.pressure');
    expect(c.get('psiIoFullTotalUsec')).toBe('7:io.pressure');
    // v2 cpu.stat would give nothing new: never opened.
    expect([...c.values()].some((v) => v === '7:cpu.stat')).toBe(false);
    // v1 has no oom or high events.
    expect(c.has('memoryEventsOom')).toBe(false);
    expect(c.has('memoryEventsHigh')).toBe(false);
  });

  it('falls back to the unified cpu.stat where cpuacct is missing, and to plain blkio files', () => {
    const c = claims(planTarget(hybrid), (f) => f.name !== 'cpuacct.usage' && f.name !== 'cpuacct.stat' && !f.name.endsWith('_recursive'));
    expect(c.get('cpuUsageUsec')).toBe('7:cpu.stat');
    expect(c.get('cpuSystemUsec')).toBe('7:cpu.stat');
    expect(c.get('cpuNrPeriods')).toBe('0:cpu.stat');
    expect(c.get('ioWbytes')).toBe('4:blkio.throttle.io_service_bytes');
  });

  it('reads everything from the one directory of a v2 host, controller files only where enabled', () => {
    const dir: SampleTargetDir = { dir: '/sys/fs/cgroup/x', version: 2, controllers: ['cpu', 'memory', 'io', 'pids'] };
    const c = claims(planTarget([dir]));
    expect(new Set(c.values())).toEqual(
      new Set(['0:cpu.stat', '0:memory.current', '0:memory.stat', '0:memory.swap.current', '0:memory.events.local', '0:io.stat', '0:pids.current', '0:cpu.pressure', '0:memory.pressure', '0:io.pressure']),
    );
    const bare = planTarget([{ ...dir, controllers: [] }]).map((f) => f.name);
    expect(bare).toEqual(['cpu.stat', 'cpu.pressure', 'memory.pressure', 'io.pressure']);
  });

  it('puts v1 directories first whatever order they are given in', () => {
    const plan = planTarget([...hybrid].reverse());
    const firstV2 = plan.findIndex((f) => f.kind.startsWith('v2.'));
    expect(plan.slice(firstV2).every((f) => f.kind.startsWith('v2.'))).toBe(true);
  });

  it('plans only files that give a field asked for', () => {
    const plan = planTarget(hybrid, fieldMask('cpuUsageUsec', 'memoryCurrentBytes'));
    expect(plan.map((f) => f.name)).toEqual(['cpuacct.usage', 'memory.usage_in_bytes', 'cpu.stat']);
    expect(plan.every((f) => (f.fieldMask & ~fieldMask('cpuUsageUsec', 'memoryCurrentBytes')) === 0)).toBe(true);
  });
});
