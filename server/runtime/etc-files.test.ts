import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from './etc-files';
import { majorMinor } from './host-refs';
import { conmonArgs } from './conmon';
import { runtimePaths } from './paths';

describe('etc files', () => {
  it('hosts: localhost, own addresses, network peers', () => {
    const text = hostsFile('web', [{ ip: '10.0.0.2', name: 'web' }, { ip: '10.0.0.3', name: 'db' }], ['10.0.0.2']);
    expect(text).toMatch(/^127\.0\.0\.1\tlocalhost$/m);
    expect(text).toMatch(/^10\.0\.0\.2\tweb$/m);
    expect(text).toMatch(/^10\.0\.0\.3\tdb$/m);
    expect(text.match(/10\.0\.0\.2/g)).toHaveLength(1);
    expect(hostsFile('solo', [], [])).toMatch(/^127\.0\.1\.1\tsolo$/m);
  });

  it('resolv.conf drops loopback resolvers in a private network namespace only', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-etc-'));
    try {
      const f = path.join(dir, 'resolv.conf');
      await writeFile(f, 'nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch lan\n');
      expect(await resolvConf(true, f)).toBe('nameserver 9.9.9.9\nsearch lan\n');
      expect(await resolvConf(false, f)).toContain('127.0.0.53');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('small helpers', () => {
  it('splits dev_t like glibc', () => {
    expect(majorMinor(0xfe00)).toEqual({ major: 254, minor: 0 });
    expect(majorMinor((8 << 8) | 1)).toEqual({ major: 8, minor: 1 });
    expect(majorMinor(0x10300)).toEqual({ major: 259, minor: 0 }); // nvme-style majors above 255
  });

  it('refuses a container id that is not one', () => {
    const p = runtimePaths('/data', '/run/x');
    expect(p.bundle('a'.repeat(64))).toBe(`/data/containers/${'a'.repeat(64)}`);
    expect(() => p.bundle('../etc')).toThrow(/not a container id/);
    expect(p.exitFile('b'.repeat(64))).toBe(`/run/x/exits/${'b'.repeat(64)}`);
  });

  it('builds conmon\'s argv', () => {
    const args = conmonArgs({
      runtime: '/usr/sbin/runc', runtimeArgs: ['--root=/run/r'], id: 'x', name: 'n', bundle: '/b', containerPidFile: '/b/pid',
      conmonPidFile: '/b/conmon.pid', logPath: '/b/ctr.log', exitDir: '/run/e', persistDir: '/b/u', socketDir: '/run/s', terminal: true, stdin: false,
    });
    expect(args).toEqual(expect.arrayContaining(['-l', 'k8s-file:/b/ctr.log', '--exit-dir', '/run/e', '--runtime-arg', '--root=/run/r', '-t', '--api-version', '1']));
    expect(args).not.toContain('-i');
    expect(args).not.toContain('--syslog');
  });
});
