import { describe, expect, it } from 'vitest';
import { openDatabase } from '@/server/db';
import { buildConfList, runtimeConfigFor, type NetworkRecord } from './cni-config';
import { parsePortSpec } from './ports';
import { networkMigrations } from './schema';
import { NetworkStore } from './store';

const net: NetworkRecord = { name: 'web', bridge: 'cgdash1', subnet: '10.89.1.0/24', gateway: '10.89.1.1', ipMasq: true, mtu: null, createdAt: 1 };

function storeWithNetwork(): NetworkStore {
  const store = new NetworkStore(openDatabase(':memory:', networkMigrations));
  store.insertNetwork(net);
  return store;
}

function attach(store: NetworkStore, containerId: string, bootId = 'boot-1', ports = [parsePortSpec('127.0.0.1:8080:80/udp')]) {
  store.insertAttachment({
    containerId,
    network: 'web',
    containerName: `name-${containerId}`,
    ifName: 'eth0',
    netnsPath: `/var/run/netns/${containerId}`,
    confList: buildConfList(net, { ipamDir: '/x' }),
    runtimeConfig: runtimeConfigFor(ports),
    bootId,
    createdAt: 2,
    ports,
  });
}

describe('NetworkStore', () => {
  it('round-trips a network', () => {
    const store = storeWithNetwork();
    expect(store.getNetwork('web')).toEqual(net);
    expect(store.listNetworks()).toEqual([net]);
  });

  it('keeps an attachment with its config, ports and, later, its ADD result', () => {
    const store = storeWithNetwork();
    attach(store, 'c1');
    const before = store.getAttachment('c1', 'web')!;
    expect(before.addResult).toBeNull();
    expect(before.confList.plugins[0]!.type).toBe('bridge');
    expect(before.ports).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    store.setAddResult('c1', 'web', { cniVersion: '1.0.0', ips: [{ address: '10.89.1.2/24' }] }, '10.89.1.2');
    const after = store.getAttachment('c1', 'web')!;
    expect(after.address).toBe('10.89.1.2');
    expect(after.addResult?.ips?.[0]?.address).toBe('10.89.1.2/24');
    expect(store.allPublishedPorts()).toEqual([
      { containerId: 'c1', network: 'web', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' },
    ]);
  });

  it('will not drop a network that still has attachments, and drops ports with their attachment', () => {
    const store = storeWithNetwork();
    attach(store, 'c1');
    expect(() => store.deleteNetwork('web')).toThrow(/FOREIGN KEY/);
    store.deleteAttachment('c1', 'web');
    expect(store.allPublishedPorts()).toEqual([]);
    store.deleteNetwork('web');
    expect(store.listNetworks()).toEqual([]);
  });

  it('forgets attachments of an earlier boot', () => {
    const store = storeWithNetwork();
    attach(store, 'old', 'boot-0');
    attach(store, 'new', 'boot-1', []);
    expect(store.dropAttachmentsOfOtherBoots('boot-1')).toBe(1);
    expect(store.attachmentsOfNetwork('web').map((a) => a.containerId)).toEqual(['new']);
    expect(store.allPublishedPorts()).toEqual([]);
  });
});
