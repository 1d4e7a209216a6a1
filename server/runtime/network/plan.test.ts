import { describe, expect, it } from 'vitest';
import { CgdashError } from '@/server/lib/errors';
import type { NetworkRecord } from './cni-config';
import type { HostRoute } from './host-net';
import { parseCidrLoose, parseSubnet } from './ipv4';
import { planNetwork, type HostView } from './plan';

const web: NetworkRecord = { name: 'web', bridge: 'cgdash1', subnet: '10.89.1.0/24', gateway: '10.89.1.1', ipMasq: true, mtu: null, createdAt: 0 };

function route(dst: string, dev: string): HostRoute {
  return { dst: parseCidrLoose(dst)!, dev, text: `${dst} dev ${dev}` };
}

// What `ip -j route show table all` gives on the development VM, plus web's own bridge route.
const host: HostView = {
  networks: [web],
  links: [{ ifname: 'lo' }, { ifname: 'eth0' }, { ifname: 'cgdash1', kind: 'bridge' }, { ifname: 'cgdash2', kind: 'veth' }],
  routes: [route('192.0.2.0/24', 'eth0'), route('127.0.0.0/8', 'lo'), route('192.0.2.2', 'eth0'), route('10.89.1.0/24', 'cgdash1')],
  subnetPool: parseSubnet('10.89.0.0/16'),
  now: 42,
};

function errorOf(fn: () => unknown): CgdashError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CgdashError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('planNetwork', () => {
  it('takes a given subnet, its first host as gateway and the next free cgdash<N> bridge', () => {
    expect(planNetwork({ name: 'db', subnet: '10.90.0.0/24' }, host)).toEqual({
      name: 'db',
      bridge: 'cgdash3', // cgdash1 is web's, an interface named cgdash2 exists
      subnet: '10.90.0.0/24',
      gateway: '10.90.0.1',
      ipMasq: true,
      mtu: null,
      createdAt: 42,
    });
  });

  it('allocates the first /24 of the pool clear of networks and routes', () => {
    expect(planNetwork({ name: 'db' }, host).subnet).toBe('10.89.0.0/24');
    const crowded = { ...host, routes: [...host.routes, route('10.89.0.0/24', 'eth0')] };
    expect(planNetwork({ name: 'db' }, crowded).subnet).toBe('10.89.2.0/24');
    const full = { ...host, subnetPool: parseSubnet('10.89.1.0/24') };
    expect(errorOf(() => planNetwork({ name: 'db' }, full)).kind).toBe('unavailable');
  });

  it('refuses a subnet overlapping another network or a host route, naming it', () => {
    const overNet = errorOf(() => planNetwork({ name: 'db', subnet: '10.89.0.0/16' }, host));
    expect(overNet.kind).toBe('conflict');
    expect(overNet.message).toBe('subnet 10.89.0.0/16 overlaps network web (10.89.1.0/24)');
    const overRoute = errorOf(() => planNetwork({ name: 'db', subnet: '192.0.2.0/25' }, host));
    expect(overRoute.message).toBe('subnet 192.0.2.0/25 overlaps host route 192.0.2.0/24 dev eth0');
    expect(overRoute.details.field).toBe('subnet');
  });

  it('refuses a taken name, a taken or foreign bridge, a bad gateway and a bad MTU', () => {
    expect(errorOf(() => planNetwork({ name: 'web', subnet: '10.90.0.0/24' }, host)).message).toBe('network web already exists');
    expect(errorOf(() => planNetwork({ name: 'db', subnet: '10.90.0.0/24', bridge: 'cgdash1' }, host)).message).toContain('used by network web');
    expect(errorOf(() => planNetwork({ name: 'db', subnet: '10.90.0.0/24', bridge: 'eth0' }, host)).message).toContain(
      'interface eth0 already exists',
    );
    expect(errorOf(() => planNetwork({ name: 'db', subnet: '10.90.0.0/24', gateway: '10.91.0.1' }, host)).details.field).toBe('gateway');
    expect(errorOf(() => planNetwork({ name: 'db', subnet: '10.90.0.0/24', mtu: 100 }, host)).details.field).toBe('mtu');
    expect(planNetwork({ name: 'db', subnet: '10.90.0.0/24', mtu: 1400, ipMasq: false }, host)).toMatchObject({ mtu: 1400, ipMasq: false });
  });

  it('adopts an existing bridge only when asked (the default network after a lost database), and ignores its route', () => {
    const lost = { ...host, networks: [], routes: [...host.routes] };
    expect(errorOf(() => planNetwork({ name: 'cgdash0', subnet: '10.89.1.0/24', bridge: 'cgdash1' }, lost)).kind).toBe('conflict');
    expect(planNetwork({ name: 'cgdash0', subnet: '10.89.1.0/24', bridge: 'cgdash1' }, { ...lost, adoptBridge: true }).bridge).toBe('cgdash1');
    // a veth is never adopted as a bridge
    expect(errorOf(() => planNetwork({ name: 'x', subnet: '10.90.0.0/24', bridge: 'cgdash2' }, { ...lost, adoptBridge: true })).kind).toBe(
      'conflict',
    );
  });
});
