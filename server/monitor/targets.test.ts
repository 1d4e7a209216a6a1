import { describe, expect, it } from 'vitest';
import type { Hierarchy } from '@/server/cgroup';
import { dirsSignature, groupCgroups } from './targets';

const h = (id: number, version: 1 | 2, controllers: string[], mount: string, selfPath: string, managedRoot: string): Hierarchy => ({
  id,
  version,
  mountPoint: mount,
  mountRoot: '/',
  controllers,
  selfPath,
  managedRoot,
});

// The development machines: memory's own cgroup is /process_api/<hash>, every other one is /.
const cpu = h(1, 1, ['cpu'], '/sys/fs/cgroup/cpu', '/', '/cgdash');
const memory = h(4, 1, ['memory'], '/sys/fs/cgroup/memory', '/process_api/ab12', '/process_api/ab12/cgdash');
const unified = h(0, 2, [], '/sys/fs/cgroup/unified', '/', '/cgdash');

describe('groupCgroups', () => {
  it('merges a managed cgroup living under different absolute paths per hierarchy into one', () => {
    const found = new Map([
      [1, new Set(['/', '/cgdash', '/cgdash/web', '/user.slice'])],
      [4, new Set(['/', '/process_api', '/process_api/ab12', '/process_api/ab12/cgdash', '/process_api/ab12/cgdash/web'])],
      [0, new Set(['/', '/cgdash', '/cgdash/web'])],
    ]);
    const groups = groupCgroups([cpu, memory, unified], found);
    const byRef = new Map(groups.map((g) => [g.ref, g]));
    const web = byRef.get('web')!;
    expect(web.managedPath).toBe('web');
    expect(web.path).toBe('/cgdash/web');
    expect(web.dirs.map((d) => d.dir)).toEqual([
      '/sys/fs/cgroup/cpu/cgdash/web',
      '/sys/fs/cgroup/memory/process_api/ab12/cgdash/web',
      '/sys/fs/cgroup/unified/cgdash/web',
    ]);
    expect(web.dirs.map((d) => d.version)).toEqual([1, 1, 2]);
    expect(byRef.get('')?.dirs).toHaveLength(3); // the managed root itself
    expect(byRef.get('/')?.dirs).toHaveLength(3);
    expect(byRef.get('/process_api/ab12')?.dirs.map((d) => d.dir)).toEqual(['/sys/fs/cgroup/memory/process_api/ab12']);
    expect(byRef.get('/user.slice')?.managedPath).toBeNull();
    expect([...byRef.keys()].sort()).toEqual(['', '/', '/process_api', '/process_api/ab12', '/user.slice', 'web']);
  });

  it('keeps only the hierarchies a cgroup exists in', () => {
    const groups = groupCgroups([cpu, memory], new Map([[1, new Set(['/cgdash/only-cpu'])]]));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.dirs).toHaveLength(1);
    expect(dirsSignature(groups[0]!.dirs)).toBe('/sys/fs/cgroup/cpu/cgdash/only-cpu');
  });
});
