import { describe, expect, it } from 'vitest';
import { liveUpdate } from './live-update';
import { parseContainerSpec, type ContainerSpecInput } from './spec';

const spec = (limits: ContainerSpecInput['limits']) => parseContainerSpec({ image: 'busybox', limits });

describe('liveUpdate', () => {
  it('writes the new limits for runc', () => {
    const { runcResources, ioMax } = liveUpdate(spec({ memory: '64m' }), spec({ memory: '128m', pidsLimit: 10, cpus: 0.5 }), {});
    expect(runcResources).toEqual({
      memory: { limit: 128 << 20, swap: 256 << 20 },
      cpu: { quota: 50000, period: 100000 },
      pids: { limit: 10 },
    });
    expect(ioMax).toEqual([]);
  });

  it('turns a removed limit into unlimited, a removed weight into the default', () => {
    const { runcResources } = liveUpdate(spec({ memory: '64m', memoryReservation: '32m', pidsLimit: 5, cpuWeight: 50 }), spec({}), {});
    expect(runcResources).toEqual({
      memory: { limit: -1, swap: -1, reservation: -1 },
      cpu: { quota: -1, period: 100000, shares: 1024 },
      pids: { limit: -1 },
    });
  });

  it('lists changed and cleared throttles per device', () => {
    const { ioMax } = liveUpdate(
      spec({ deviceReadBps: ['8:0:1m'], deviceWriteIops: ['8:16:10'] }),
      spec({ deviceReadBps: ['8:0:1m', '/dev/vda:2m'], deviceWriteIops: [] }),
      { '/dev/vda': { major: 254, minor: 0 } },
    );
    expect(ioMax).toEqual([
      { device: '8:16', rbps: null, wbps: null, riops: null, wiops: null },
      { device: '254:0', rbps: 2n << 20n, wbps: null, riops: null, wiops: null },
    ]);
  });
});
