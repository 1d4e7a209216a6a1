import { afterAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { createTestRoot, type TestRoot } from './testing';

describe('createTestRoot on the real cgroupfs', () => {
  let root: TestRoot | undefined;
  afterAll(async () => root?.cleanup());

  it('makes the root in every hierarchy and removes it, processes and all', async () => {
    root = await createTestRoot();
    const dirs = root.dirs();
    expect(dirs.length).toBe(root.detection.hierarchies.length);
    for (const d of dirs) expect((await stat(d)).isDirectory()).toBe(true);
    const self = await readFile('/proc/self/cgroup', 'utf8');
    expect(self).not.toContain(root.name);
    await root.cleanup();
    for (const d of dirs) await expect(stat(d)).rejects.toMatchObject({ code: 'ENOENT' });
    root = undefined;
  });
});
