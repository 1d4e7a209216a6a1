import { describe, expect, it } from 'vitest';
import { matchNetnsToPids, validateNetnsName } from './netns';

describe('validateNetnsName', () => {
  it('accepts names ip netns can take safely', () => {
    for (const name of ['blue', 'cgdash-test-1a2b', 'a.b_c-d', '0', 'x'.repeat(64)]) expect(validateNetnsName(name)).toBe(name);
  });
  it('refuses dots and dashes in front, other characters, and length over 64', () => {
    for (const bad of ['', '.hidden', '..', '-n', 'a/b', 'a b', 'ä', 'x'.repeat(65), 'name\n', '$(id)']) {
      expect(() => validateNetnsName(bad)).toThrow(/is not allowed/);
    }
    expect(() => validateNetnsName(42)).toThrow(/is not allowed/);
    let thrown: unknown = null;
    try {
      validateNetnsName('../etc');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ kind: 'invalid', details: { field: 'name', value: '../etc' } });
  });
});

describe('matchNetnsToPids', () => {
  it('gives each named netns the pids whose net namespace has its inode', () => {
    const result = matchNetnsToPids(
      [
        { name: 'red', inode: 4026532300 },
        { name: 'blue', inode: 4026532301 },
        { name: 'stale', inode: null },
      ],
      [
        { pid: 900, netInode: 4026532300 },
        { pid: 12, netInode: 4026532300 },
        { pid: 1, netInode: 4026531833 },
        { pid: 5, netInode: null },
      ],
    );
    expect(result).toEqual([
      { name: 'blue', inode: 4026532301, pids: [] },
      { name: 'red', inode: 4026532300, pids: [12, 900] },
      { name: 'stale', inode: null, pids: [] },
    ]);
  });
});
