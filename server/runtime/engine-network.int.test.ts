/**
 * The engine's call into the network module: a container on a CNI bridge network gets its
 * address before its process starts, /etc/hosts names it, a published port reaches it from
 * the host, and removal detaches it without leftovers. Names are cgdt<tag>, subnets are free
 * ones of 10.200-249.x, and the host-wide CNI state is put back afterwards.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import { NetworkManager } from './network';
import { deleteLink } from './network/host-net';
import { probeHostPort } from './network/host-ports';
import { leftovers } from './network/leftovers';
import { freeTestSubnets, randomTag, restoreHostNet, snapshotHostNet, type HostNetSnapshot } from './network/testing';
import { createTestEngine, removeSharedImages, type TestEngine } from './testing';

const tag = randomTag();
const netName = `cgdt-${tag}`;
const bridge = `cgdt${tag}`;
const defName = `cgdt-${tag}-def`;
const defBridge = `cgdt${tag}d`;

let t: TestEngine;
let engine: Engine;
let network: NetworkManager;
let before: HostNetSnapshot | undefined;
const ids: string[] = [];

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => s.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    let data = '';
    s.on('data', (b) => (data += b.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(10_000, () => {
      s.destroy();
      reject(new Error(`no answer from ${host}:${port}`));
    });
  });
}

beforeAll(async () => {
  before = await snapshotHostNet();
  const subnets = await freeTestSubnets(2);
  t = await createTestEngine();
  network = new NetworkManager({
    dataDir: t.dataDir,
    runDir: t.runDir,
    db: t.db,
    defaultNetwork: { name: defName, bridge: defBridge, subnet: subnets[1] },
    subnetPool: `${subnets[0]?.split('.').slice(0, 2).join('.')}.0.0/16`,
  });
  await network.create({ name: netName, subnet: subnets[0], bridge });
  t.engine.close();
  engine = await t.reopen({ network });
});

afterAll(async () => {
  const problems: unknown[] = [];
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      problems.push(err);
    }
  };
  // the network's records are in the test's database: settle them before cleanup closes it
  for (const id of ids) await attempt(() => network.detach({ containerId: id, netnsPath: '', network: netName, ports: [] }));
  await attempt(() => network.remove(netName));
  await attempt(() => t?.cleanup());
  for (const name of [bridge, defBridge]) await attempt(() => deleteLink(name));
  network?.close();
  if (before) await attempt(() => restoreHostNet(before as HostNetSnapshot));
  await removeSharedImages();
  if (problems.length) throw new AggregateError(problems, 'network test cleanup had problems');
});

describe('containers on a CNI network', () => {
  it('gets an address before start, a hosts entry, a working published port; detach on remove', async () => {
    const hostPort = await probeHostPort({ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' });
    const rec = await engine.run({
      image: 'busybox',
      name: `web-${tag}`,
      // the address must be there when the process starts: print it first thing
      command: ['sh', '-c', 'ip -4 -o addr show eth0; mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www'],
      network: netName,
      ports: [`127.0.0.1:${hostPort}:80`],
    });
    ids.push(rec.id);
    const address = rec.network?.ips[0]?.address as string;
    expect(address).toMatch(/^10\.2\d\d\.\d+\.\d+$/);
    const firstLine = await (async () => {
      for (let i = 0; i < 100; i++) {
        const lines = await engine.logs(rec.id);
        if (lines[0]) return lines[0].text;
        await new Promise((r) => setTimeout(r, 50));
      }
      return '';
    })();
    expect(firstLine).toContain(`inet ${address}/24`);
    expect((await engine.exec(rec.id, ['cat', '/etc/hosts'])).stdout).toMatch(new RegExp(`^${address.replace(/\./g, '\\.')}\\s+`, 'm'));
    expect((await engine.inspect(rec.id)).network).toMatchObject({ network: netName, ports: [{ hostIp: '127.0.0.1', hostPort, containerPort: 80, protocol: 'tcp' }] });

    let page = '';
    for (let i = 0; i < 50 && !page.includes('hello-from-container'); i++) {
      page = await httpGet('127.0.0.1', hostPort).catch(() => '');
      if (!page.includes('hello-from-container')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(page).toContain('hello-from-container');
    expect(await httpGet(address, 80)).toContain('hello-from-container');

    await engine.remove(rec.id, { force: true });
    const left = await leftovers({ networks: [{ name: netName, bridge }], containerIds: [rec.id], addresses: [address], ipamDir: network.ipamDir });
    expect(left.filter((l) => l.kind !== 'bridge' && l.kind !== 'ipam-dir')).toEqual([]);
    expect((await network.inspect(netName)).containers).toEqual([]);
  });

  it('a failed start on a network detaches again', async () => {
    await expect(engine.run({ image: 'busybox', command: ['/no/such/binary'], network: netName })).rejects.toThrow();
    expect((await network.inspect(netName)).containers).toEqual([]);
    expect(engine.list({ all: true })).toEqual([]);
  });

  it('without a network module, a network is refused clearly', async () => {
    const bare = await t.reopen({ network: null });
    await expect(bare.run({ image: 'busybox', command: ['true'], network: netName })).rejects.toMatchObject({ kind: 'unavailable', details: { field: 'network' } });
    bare.close();
  });
});
