import { mkdir, mkdtemp, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childNames, isMountedCgroupFs, makeChildDir, openCgroupDir, openChildDir, readCgroupFile, readOptional, writeCgroupFile } from './fsio';
import type { Hierarchy } from './model';

let tmp: string;
let h: Hierarchy;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'cgdash-fsio-'));
  const mount = path.join(tmp, 'mnt');
  await mkdir(path.join(mount, 'a/b'), { recursive: true });
  await writeFile(path.join(mount, 'a/b/pids.max'), 'max\n');
  await mkdir(path.join(tmp, 'outside'));
  await writeFile(path.join(tmp, 'outside/pids.max'), 'secret\n');
  await symlink(path.join(tmp, 'outside'), path.join(mount, 'a/link'));
  await symlink(path.join(tmp, 'outside/pids.max'), path.join(mount, 'a/b/memory.max'));
  h = { id: 1, version: 1, mountPoint: mount, mountRoot: '/', controllers: ['pids'], selfPath: '/', managedRoot: '/cgdash' };
});
afterEach(async () => rm(tmp, { recursive: true, force: true }));

describe('confined cgroup I/O', () => {
  it('opens real directories and reads/writes their files', async () => {
    const d = await openCgroupDir(h, '/a/b');
    expect(d?.dir).toBe(path.join(h.mountPoint, 'a/b'));
    if (!d) return;
    expect(await readCgroupFile(d, 'pids.max')).toBe('max\n');
    await writeCgroupFile(d, 'pids.max', '64');
    expect(await readFile(path.join(d.dir, 'pids.max'), 'utf8')).toBe('64');
  });

  it('reads a file longer than one read buffer whole, and reads the next one fresh', async () => {
    const long = Array.from({ length: 20_000 }, (_, i) => `8:${i} rbytes=${i} wbytes=${i * 2}`).join('\n');
    await writeFile(path.join(h.mountPoint, 'a/b/io.stat'), long);
    const d = await openCgroupDir(h, '/a/b');
    if (!d) throw new Error('fixture dir missing');
    expect(long.length).toBeGreaterThan(128 * 1024);
    expect(await readCgroupFile(d, 'io.stat')).toBe(long);
    expect(await readCgroupFile(d, 'pids.max')).toBe('max\n');
  });

  it('names the file when a read fails', async () => {
    const d = await openCgroupDir(h, '/a');
    if (!d) throw new Error('fixture dir missing');
    await expect(readCgroupFile(d, 'b')).rejects.toMatchObject({ message: expect.stringContaining(path.join(h.mountPoint, 'a/b')) });
  });

  it('returns null for a cgroup that does not exist', async () => {
    expect(await openCgroupDir(h, '/a/nope/deeper')).toBeNull();
  });

  it('refuses a symlinked component anywhere on the path', async () => {
    expect(isMountedCgroupFs(h)).toBe(false); // a fixture tree: every component is checked
    await expect(openCgroupDir(h, '/a/link')).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/symbolic link/) });
  });

  it('never follows a symlinked control file, for reads or writes', async () => {
    const d = await openCgroupDir(h, '/a/b');
    if (!d) throw new Error('fixture');
    await expect(readCgroupFile(d, 'memory.max')).rejects.toThrow(/memory\.max/);
    await expect(writeCgroupFile(d, 'memory.max', '1')).rejects.toThrow(/writing "1" to .*memory\.max/);
    expect(await readFile(path.join(tmp, 'outside/pids.max'), 'utf8')).toBe('secret\n');
  });

  it('never creates a control file that is not there', async () => {
    const d = await openCgroupDir(h, '/a/b');
    if (!d) throw new Error('fixture');
    await expect(writeCgroupFile(d, 'cpu.max', 'max 100000', 'cpuMaxQuotaUs')).rejects.toMatchObject({
      kind: 'not_found',
      details: expect.objectContaining({ field: 'cpuMaxQuotaUs', value: 'max 100000' }),
    });
    expect(await readOptional(d, 'cpu.max')).toBeNull();
  });

  it('refuses file names that are not control files', async () => {
    const d = await openCgroupDir(h, '/a/b');
    if (!d) throw new Error('fixture');
    await expect(readCgroupFile(d, '../b/pids.max')).rejects.toThrow(/not a cgroup control file name/);
    await expect(writeCgroupFile(d, '/etc/passwd', 'x')).rejects.toThrow(/not a cgroup control file name/);
  });

  it('refuses paths that leave the mount', async () => {
    const sub: Hierarchy = { ...h, mountRoot: '/a' };
    await expect(openCgroupDir(sub, '/elsewhere')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('walks children without following links', async () => {
    const d = await openCgroupDir(h, '/a');
    if (!d) throw new Error('fixture');
    expect(await childNames(d)).toEqual(['b']);
    expect(await openChildDir(d, 'link')).toBeNull();
    expect(await openChildDir(d, '..')).toBeNull();
    expect(await makeChildDir(d, 'c')).toBe(true);
    expect(await makeChildDir(d, 'c')).toBe(false);
  });
});
