import { describe, expect, it } from 'vitest';
import { bandwidthFor, buildConfList, burstBytesFor, pluginInput, runtimeConfigFor, type NetworkRecord } from './cni-config';
import { parsePortSpec } from './ports';

const net: NetworkRecord = {
  name: 'web',
  bridge: 'cgdash3',
  subnet: '10.89.3.0/24',
  gateway: '10.89.3.1',
  ipMasq: true,
  mtu: null,
  createdAt: 0,
};

describe('buildConfList', () => {
  const list = buildConfList(net, { ipamDir: '/run/cgdash/cni/ipam' });

  it('chains bridge, portmap, firewall and bandwidth under the network name at CNI 1.0.0', () => {
    expect(list.cniVersion).toBe('1.0.0');
    expect(list.name).toBe('web');
    expect(list.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap', 'firewall', 'bandwidth']);
  });

  it('makes the bridge a masquerading gateway with host-local leases in our own directory', () => {
    expect(list.plugins[0]).toEqual({
      type: 'bridge',
      bridge: 'cgdash3',
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: '10.89.3.0/24', gateway: '10.89.3.1' }]],
        routes: [{ dst: '0.0.0.0/0' }],
        dataDir: '/run/cgdash/cni/ipam',
      },
    });
  });

  it('asks for the capabilities portmap and bandwidth read', () => {
    expect(list.plugins[1]).toEqual({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
    expect(list.plugins[2]).toEqual({ type: 'firewall', backend: 'iptables' });
    expect(list.plugins[3]).toEqual({ type: 'bandwidth', capabilities: { bandwidth: true } });
  });

  it('passes an MTU and ipMasq=false through', () => {
    const l = buildConfList({ ...net, mtu: 1400, ipMasq: false }, { ipamDir: '/x' });
    expect(l.plugins[0]).toMatchObject({ mtu: 1400, ipMasq: false });
  });
});

describe('bandwidthFor', () => {
  it('turns bytes per second into the bits per second CNI wants, with a burst', () => {
    expect(bandwidthFor(1_000_000, undefined)).toEqual({ ingressRate: 8_000_000, ingressBurst: 100_000 * 8 });
    expect(bandwidthFor(undefined, 2048)).toEqual({ egressRate: 16_384, egressBurst: 16 * 1024 * 8 });
    expect(bandwidthFor(undefined, undefined)).toBeUndefined();
  });
  it('keeps the burst at 100 ms of traffic and at least 16 KiB', () => {
    expect(burstBytesFor(10_000_000)).toBe(1_000_000);
    expect(burstBytesFor(1024)).toBe(16 * 1024);
  });
  it('refuses rates that are not whole, too small or too large', () => {
    expect(() => bandwidthFor(0.5)).toThrow(/ingressRateBps/);
    expect(() => bandwidthFor(10)).toThrow(/out of range/);
    expect(() => bandwidthFor(undefined, 2e10)).toThrow(/egressRateBps/);
  });
});

describe('runtimeConfigFor / pluginInput', () => {
  const list = buildConfList(net, { ipamDir: '/x' });
  const rc = runtimeConfigFor([parsePortSpec('127.0.0.1:8080:80/udp'), parsePortSpec('9090:90')], bandwidthFor(1_000_000));

  it('writes port mappings in the CNI convention (hostIP, empty for all addresses)', () => {
    expect(rc.portMappings).toEqual([
      { hostPort: 8080, containerPort: 80, protocol: 'udp', hostIP: '127.0.0.1' },
      { hostPort: 9090, containerPort: 90, protocol: 'tcp', hostIP: '' },
    ]);
    expect(runtimeConfigFor([])).toEqual({});
  });

  it('gives each plugin only the capabilities it declared, the list name/version and prevResult', () => {
    const prev = { cniVersion: '1.0.0', ips: [{ address: '10.89.3.2/24' }] };
    const bridge = pluginInput(list, list.plugins[0]!, rc, undefined);
    expect(bridge).not.toHaveProperty('runtimeConfig');
    expect(bridge).not.toHaveProperty('prevResult');
    expect(bridge).toMatchObject({ name: 'web', cniVersion: '1.0.0', type: 'bridge' });

    const portmap = pluginInput(list, list.plugins[1]!, rc, prev);
    expect(portmap.runtimeConfig).toEqual({ portMappings: rc.portMappings });
    expect(portmap.prevResult).toBe(prev);

    const bandwidth = pluginInput(list, list.plugins[3]!, rc, prev);
    expect(bandwidth.runtimeConfig).toEqual({ bandwidth: { ingressRate: 8_000_000, ingressBurst: 800_000 } });

    const firewall = pluginInput(list, list.plugins[2]!, rc, prev);
    expect(firewall).not.toHaveProperty('runtimeConfig');
  });
});
