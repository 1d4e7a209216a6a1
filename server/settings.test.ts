import { describe, expect, it } from 'vitest';
import { loadSettings } from './settings';

describe('loadSettings', () => {
  it('fills the documented defaults', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      CGDASH_DATA_DIR: '/var/lib/cgdash',
      CGDASH_CGROUP_ROOT: 'cgdash',
    });
    expect(s.CGDASH_ADMIN_TOKEN).toBeUndefined();
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names every bad setting', () => {
    expect(() => loadSettings({ PORT: '70000', CGDASH_DATA_DIR: 'relative', CGDASH_CGROUP_ROOT: '../escape' })).toThrow(
      /PORT[\s\S]*CGDASH_DATA_DIR: must be an absolute path[\s\S]*CGDASH_CGROUP_ROOT/,
    );
  });

  it('refuses a short admin token', () => {
    expect(() => loadSettings({ CGDASH_ADMIN_TOKEN: 'short' })).toThrow(/CGDASH_ADMIN_TOKEN/);
  });
});
