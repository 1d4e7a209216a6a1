import { describe, expect, it } from 'vitest';
import type { Hierarchy } from './model';
import { assertWritable, badSegment, isManagedIn, managedPathIn, parseManagedRootName, parseRef, pathIn, placementsOf } from './refs';

const hierarchy = (id: number, selfPath: string, managedRoot: string, mountRoot = '/'): Hierarchy => ({
  id,
  version: id === 0 ? 2 : 1,
  mountPoint: `/sys/fs/cgroup/h${id}`,
  mountRoot,
  controllers: [`c${id}`],
  selfPath,
  managedRoot,
});

// Like this development machine: memory resolves under /process_api/<hash>, the others under /.
const hs = [hierarchy(0, '/', '/cgdash'), hierarchy(4, '/process_api/abc', '/process_api/abc/cgdash')];

describe('cgroup names', () => {
  it.each([
    ['', 'empty'],
    ['..', 'not allowed'],
    ['.', 'not allowed'],
    ['.hidden', 'starts with a dot'],
    ['a\0b', 'NUL'],
    ['a\nb', 'control character'],
    ['x'.repeat(256), 'longer than 255'],
    ['é'.repeat(128), 'longer than 255'], // 256 bytes in UTF-8
    ['cgroup.procs', 'control file'],
    ['cpu.max', 'control file'],
    ['memory.anything', 'control file'],
    ['io.max', 'control file'],
    ['pids.max', 'control file'],
    ['cpuset.cpus', 'control file'],
    ['blkio.weight', 'control file'],
    ['freezer.state', 'control file'],
    ['devices.allow', 'control file'],
    ['hugetlb.2MB.limit_in_bytes', 'control file'],
    ['rdma.max', 'control file'],
    ['misc.max', 'control file'],
    ['notify_on_release', 'control file'],
    ['release_agent', 'control file'],
    ['tasks', 'control file'],
  ])('rejects %j (%s)', (name, why) => {
    expect(badSegment(name)).toMatch(new RegExp(why));
  });

  it.each(['web', 'docker-0123abcd.scope', 'user@0.service', 'cpu', 'memory-hog', 'x'.repeat(255), 'tasks2'])('accepts %j', (name) => {
    expect(badSegment(name)).toBeNull();
  });
});

describe('refs', () => {
  it('tells absolute from relative and normalises', () => {
    expect(parseRef('/system.slice/x.service')).toEqual({ kind: 'absolute', segments: ['system.slice', 'x.service'], text: '/system.slice/x.service' });
    expect(parseRef('containers/web')).toEqual({ kind: 'relative', segments: ['containers', 'web'], text: 'containers/web' });
    expect(parseRef('')).toMatchObject({ kind: 'relative', segments: [], text: '' });
    expect(parseRef('/')).toMatchObject({ kind: 'absolute', segments: [] });
  });

  it.each(['a//b', 'a/', '/a/../b', '../x', 'a/./b', 'a/cgroup.procs', 'x/.y'])('rejects %j with field and value', (ref) => {
    expect(() => parseRef(ref)).toThrow(expect.objectContaining({ kind: 'invalid', details: expect.objectContaining({ field: 'cgroup', value: ref }) }));
  });

  it('requires the managed root to name a cgroup', () => {
    expect(() => parseManagedRootName('/')).toThrow(/CGDASH_CGROUP_ROOT/);
    expect(() => parseManagedRootName('')).toThrow(/CGDASH_CGROUP_ROOT/);
    expect(parseManagedRootName('cgdash').kind).toBe('relative');
  });

  it('resolves relative refs per hierarchy and absolute ones the same everywhere', () => {
    expect(hs.map((h) => pathIn(h, parseRef('containers/web')))).toEqual(['/cgdash/containers/web', '/process_api/abc/cgdash/containers/web']);
    expect(hs.map((h) => pathIn(h, parseRef('/cgdash/web')))).toEqual(['/cgdash/web', '/cgdash/web']);
    expect(hs.map((h) => pathIn(h, parseRef('')))).toEqual(['/cgdash', '/process_api/abc/cgdash']);
  });

  it('places a ref on disk, skipping hierarchies whose mount does not show it', () => {
    const sub = hierarchy(7, '/', '/ns/cgdash', '/ns'); // a bind mount of /ns only
    const placements = placementsOf([...hs, sub], parseRef('/other'));
    expect(placements.map((p) => p.hierarchyId)).toEqual([0, 4]);
    expect(placements[0]).toMatchObject({ path: '/other', dir: '/sys/fs/cgroup/h0/other', version: 2 });
    expect(placementsOf([sub], parseRef('web'))[0]?.dir).toBe('/sys/fs/cgroup/h7/cgdash/web');
  });

  it('knows what is managed', () => {
    const h = hs[1];
    if (!h) throw new Error('fixture');
    expect(isManagedIn(h, '/process_api/abc/cgdash')).toBe(true);
    expect(isManagedIn(h, '/process_api/abc/cgdash/x')).toBe(true);
    expect(isManagedIn(h, '/process_api/abc/cgdash-other')).toBe(false);
    expect(managedPathIn(h, '/process_api/abc/cgdash/a/b')).toBe('a/b');
    expect(managedPathIn(h, '/cgdash/a')).toBeNull();
  });

  it('refuses writes outside the managed root unless allowed', () => {
    const ref = parseRef('/cgdash/web'); // managed in hierarchy 0, not in 4 (memory is under /process_api/abc)
    const placements = placementsOf(hs, ref);
    expect(() => assertWritable(hs, placements, ref, false, 'create')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => assertWritable(hs, placements, ref, true, 'create')).not.toThrow();
    const rel = parseRef('web');
    expect(() => assertWritable(hs, placementsOf(hs, rel), rel, false, 'create')).not.toThrow();
  });
});
