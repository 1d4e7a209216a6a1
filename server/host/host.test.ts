import { describe, expect, it } from 'vitest';
import { HostInfo, type SystemInformationApi } from './host';

type Fake = { [K in keyof SystemInformationApi]: SystemInformationApi[K] } & { calls: Record<string, number> };

/** A stand-in for the systeminformation library (not the kernel): it counts calls. */
function fakeSi(overrides: Partial<SystemInformationApi> = {}): Fake {
  const calls: Record<string, number> = {};
  const count = <T>(name: string, value: T) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return value;
  };
  const fake = {
    calls,
    cpu: async () => count('cpu', { manufacturer: 'AMD', brand: 'EPYC', cores: 2, physicalCores: 2, speed: 0 }),
    osInfo: async () =>
      count('osInfo', { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.18.44', arch: 'x64', hostname: 'vm' }),
    mem: async () =>
      count('mem', { total: 1000, free: 300, used: 700, available: 600, buffcache: 250, swaptotal: 50, swapused: 5 }),
    fsSize: async () =>
      count('fsSize', [{ fs: '/dev/vda', type: 'ext4', size: 100, used: 40, available: 60, use: 40, mount: '/', rw: true }]),
    networkInterfaces: async () =>
      count('networkInterfaces', [
        { iface: 'eth0', ip4: '192.0.2.2', ip4subnet: '255.255.255.0', ip6: '', mac: '02:fc:00:00:00:01', internal: false, virtual: false, operstate: 'up', type: 'wired', mtu: 1400, speed: -1, default: true },
      ]),
    time: () => count('time', { current: 0, uptime: 871.5, timezone: 'UTC', timezoneName: 'Etc/UTC' }),
    ...overrides,
  };
  return fake as unknown as Fake;
}

describe('HostInfo', () => {
  it('maps systeminformation into host facts, with the cgroup mode the caller gives', async () => {
    const si = fakeSi();
    const host = new HostInfo({ si, loadAverage: () => [0.5, 0.25, 0.125] });
    const facts = await host.facts({ cgroupMode: 'hybrid' });
    expect(facts).toEqual({
      cpu: { manufacturer: 'AMD', brand: 'EPYC', model: 'AMD EPYC', cores: 2, physicalCores: 2, speedGhz: null },
      os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.18.44', arch: 'x64', hostname: 'vm' },
      memory: { totalBytes: 1000, usedBytes: 400, availableBytes: 600, freeBytes: 300, buffCacheBytes: 250, swapTotalBytes: 50, swapUsedBytes: 5 },
      loadAverage: { one: 0.5, five: 0.25, fifteen: 0.125 },
      uptimeSec: 871.5,
      disks: [{ fs: '/dev/vda', type: 'ext4', mount: '/', sizeBytes: 100, usedBytes: 40, availableBytes: 60, usePercent: 40, readOnly: false }],
      network: [
        {
          name: 'eth0',
          ip4: '192.0.2.2',
          ip4Subnet: '255.255.255.0',
          ip6: null,
          mac: '02:fc:00:00:00:01',
          internal: false,
          virtual: false,
          operstate: 'up',
          type: 'wired',
          mtu: 1400,
          speedMbps: null,
          isDefault: true,
        },
      ],
      cgroupMode: 'hybrid',
    });
    expect((await host.facts()).cgroupMode).toBeNull();
  });

  it('reads CPU and OS once, disks and interfaces once per TTL, memory every time', async () => {
    const si = fakeSi();
    let now = 0;
    const host = new HostInfo({ si, nowMs: () => now, disksTtlMs: 1_000, networkTtlMs: 5_000 });
    await host.facts();
    await host.facts();
    now = 2_000;
    await host.facts();
    expect(si.calls).toMatchObject({ cpu: 1, osInfo: 1, mem: 3, fsSize: 2, networkInterfaces: 1 });
    now = 6_000;
    await host.facts();
    expect(si.calls).toMatchObject({ cpu: 1, osInfo: 1, mem: 4, fsSize: 3, networkInterfaces: 2 });
  });

  it('reports a failure as unavailable and tries again next time', async () => {
    let fail = true;
    const si = fakeSi({
      cpu: (async () => {
        if (fail) throw new Error('no /proc/cpuinfo');
        return { manufacturer: 'X', brand: 'Y', cores: 4, physicalCores: 2, speed: 2.5 };
      }) as SystemInformationApi['cpu'],
    });
    const host = new HostInfo({ si });
    await expect(host.facts()).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('no /proc/cpuinfo') });
    fail = false;
    expect((await host.facts()).cpu).toMatchObject({ model: 'X Y', cores: 4, speedGhz: 2.5 });
  });
});
