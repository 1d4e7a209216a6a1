import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { listInterfaces, parseIpAddrJson } from './interfaces';

const fixture = (name: string) => readFile(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('parseIpAddrJson', () => {
  it('reads loopback and a veth end with its addresses inside a netns', async () => {
    const [lo, veth] = parseIpAddrJson(await fixture('ip-addr-netns.json'));
    expect(lo).toMatchObject({ ifindex: 1, ifname: 'lo', kind: null, linkType: 'loopback', operstate: 'UNKNOWN', adminUp: true, mtu: 65536 });
    expect(lo?.addresses.map((a) => `${a.address}/${a.prefixLength}`)).toEqual(['127.0.0.1/8', '::1/128']);
    expect(veth).toMatchObject({
      ifindex: 8,
      ifname: 'cgdt-probeb',
      kind: 'veth',
      operstate: 'UP',
      mac: '72:8d:a5:27:21:10',
      peerName: null,
      peerIfindex: 9,
      peerNetnsId: 0,
    });
    expect(veth?.addresses[0]).toEqual({
      family: 'inet',
      address: '10.213.7.2',
      prefixLength: 30,
      scope: 'global',
      broadcast: '10.213.7.3',
      peer: null,
      label: 'cgdt-probeb',
      tentative: false,
    });
    expect(veth?.addresses[1]).toMatchObject({ family: 'inet6', scope: 'link', tentative: true });
  });

  it('orders by ifindex and reads peers, masters and point-to-point devices', async () => {
    const list = parseIpAddrJson(await fixture('ip-addr-host.json'));
    expect(list.map((i) => i.ifname)).toEqual(['eth0', 'cgdt-probea', 'wg0']);
    const [eth0, veth, wg] = list;
    expect(eth0).toMatchObject({ kind: null, master: 'br0', mtu: 1400 });
    expect(veth).toMatchObject({ kind: 'veth', peerName: 'cgdt-probeb', adminUp: false, operstate: 'DOWN', addresses: [] });
    expect(wg).toMatchObject({ kind: 'wireguard', linkType: 'none', mac: null });
    expect(wg?.addresses[0]).toMatchObject({ address: '10.9.0.1', peer: '10.9.0.2', prefixLength: 32 });
  });

  it('takes empty output as no interfaces and refuses what is not JSON', () => {
    expect(parseIpAddrJson('')).toEqual([]);
    expect(() => parseIpAddrJson('Cannot open network namespace')).toThrow(/not JSON/);
  });
});

describe('listInterfaces input checks (before anything runs)', () => {
  it('refuses a bad netns name or pid', async () => {
    await expect(listInterfaces({ netns: '../../etc' })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(listInterfaces({ pid: 0 })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(listInterfaces({ pid: 1.5 })).rejects.toMatchObject({ kind: 'invalid' });
  });
});
