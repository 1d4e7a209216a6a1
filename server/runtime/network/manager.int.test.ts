/**
 * NetworkManager against the real kernel and the real CNI plugins: network namespaces the test
 * makes itself stand in for containers. Everything is named cgdt<tag> / cgdash-test-<tag>, uses
 * its own subnets and its own host-local directory, and is removed in afterAll, failure or not.
 */
import dgram from 'node:dgram';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CgdashError } from '@/server/lib/errors';
import { exec, execOk } from '@/server/lib/exec';
import { deleteLink, linkExists, listLinks, listRoutes } from './host-net';
import { probeHostPort } from './host-ports';
import { saveAll } from './iptables';
import { sweepAttachment } from './sweep';
import { leftovers, type Leftover, type LeftoverScope } from './leftovers';
import { NetworkManager } from './manager';
import { cniDerivedNames } from './names';
import { parsePortSpec } from './ports';
import {
  createTestNetns,
  freeTestSubnets,
  randomTag,
  restoreHostNet,
  snapshotHostNet,
  spawnInNetns,
  type HostNetSnapshot,
  type NetnsProcess,
  type TestNetns,
} from './testing';

const tag = randomTag();
const netName = `cgdt-${tag}`;
const bridge = `cgdt${tag}`;
const defName = `cgdt-${tag}-def`;
const defBridge = `cgdt${tag}d`;
const ids = { a: `cgdt-${tag}-a`, b: `cgdt-${tag}-b`, c: `cgdt-${tag}-c`, e: `cgdt-${tag}-e` };
type Who = keyof typeof ids;

let dataDir = '';
let runDir = '';
let manager: NetworkManager;
let before: HostNetSnapshot | undefined;
let subnets: string[] = [];
const netns = {} as Record<Who, TestNetns>;
const procs: NetnsProcess[] = [];
const hostServers: net.Server[] = [];
const addresses: Record<string, string> = {};

/** A tiny server inside a namespace: "hello <port>" on tcp 80 and 81, "pong 82" on udp 82. */
const serverScript = `
const net = require('net'), dgram = require('dgram');
let up = 0; const ready = () => { if (++up === 3) console.log('ready'); };
for (const p of [80, 81]) net.createServer((s) => s.end('hello ' + p + '\\n')).listen(p, '0.0.0.0', ready);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send('pong 82\\n', r.port, r.address));
u.bind(82, '0.0.0.0', ready);
`;

async function startServerIn(who: Who): Promise<void> {
  const p = spawnInNetns(netns[who].name, [process.execPath, '-e', serverScript]);
  procs.push(p);
  expect(await p.firstLine).toBe('ready');
}

function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let data = '';
    s.on('data', (b) => (data += b.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(15_000, () => {
      s.destroy();
      reject(new Error(`no answer from ${host}:${port}`));
    });
  });
}

function udpExchange(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    let tries = 0;
    const send = () => {
      if (++tries > 20) {
        clearInterval(timer);
        s.close();
        reject(new Error(`no udp answer from ${host}:${port}`));
        return;
      }
      s.send('ping', port, host);
    };
    const timer = setInterval(send, 500);
    s.on('message', (m) => {
      clearInterval(timer);
      s.close();
      resolve(m.toString());
    });
    send();
  });
}

async function freePort(protocol: 'tcp' | 'udp'): Promise<number> {
  return probeHostPort({ hostIp: '127.0.0.1', hostPort: 0, containerPort: 1, protocol });
}

async function linksIn(ns: TestNetns): Promise<string[]> {
  const out = await execOk('ip', ['-n', ns.name, '-j', 'link', 'show']);
  return (JSON.parse(out.stdout) as { ifname: string }[]).map((l) => l.ifname);
}

function scopeOf(who: Who[], networks = [{ name: netName, bridge }]): LeftoverScope {
  return {
    networks,
    containerIds: who.map((w) => ids[w]),
    addresses: who.map((w) => addresses[w]).filter((a): a is string => a !== undefined),
    ipamDir: manager.ipamDir,
  };
}

/**
 * Leftovers of containers: not the networks' own bridges and lease directories, nor the veths
 * of containers that are still attached.
 */
async function containerLeftovers(who: Who[], networks = [{ name: netName, bridge }]): Promise<Leftover[]> {
  const stillAttached = new Set<string>();
  for (const n of await manager.list()) for (const c of n.containers) if (c.hostVeth) stillAttached.add(c.hostVeth);
  return (await leftovers(scopeOf(who, networks))).filter(
    (l) => l.kind !== 'bridge' && l.kind !== 'ipam-dir' && !((l.kind === 'veth' || l.kind === 'qdisc') && stillAttached.has(l.name)),
  );
}

async function rejection(p: Promise<unknown>): Promise<CgdashError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CgdashError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  before = await snapshotHostNet();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-net-data-'));
  runDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-net-run-'));
  subnets = await freeTestSubnets(2);
  manager = new NetworkManager({
    dataDir,
    runDir,
    defaultNetwork: { name: defName, bridge: defBridge, subnet: subnets[1] },
    subnetPool: `${subnets[0]!.split('.').slice(0, 2).join('.')}.0.0/16`,
  });
  for (const who of Object.keys(ids) as Who[]) netns[who] = await createTestNetns(`${tag}-${who}`);
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
  for (const p of procs) p.stop();
  for (const s of hostServers) s.close();
  if (manager) {
    for (const who of Object.keys(ids) as Who[]) {
      for (const network of [netName, defName]) {
        await attempt(() => manager.detach({ containerId: ids[who], netnsPath: netns[who]?.path ?? '/nonexistent', network, ports: [] }));
      }
    }
  }
  for (const ns of Object.values(netns)) await attempt(() => ns.remove());
  // Whatever a failed detach left: every name here is derived from this test's own ids.
  for (const who of Object.keys(ids) as Who[]) {
    for (const network of [netName, defName]) {
      const addressesOfWho = addresses[who] ? [addresses[who]] : [];
      await attempt(() => sweepAttachment({ network, containerId: ids[who], ifName: 'eth0', addresses: addressesOfWho, ipamDir: path.join(runDir, 'cni', 'ipam') }));
    }
  }
  if (manager && (await manager.list().catch(() => [])).some((n) => n.name === netName)) await attempt(() => manager.remove(netName));
  for (const name of [bridge, defBridge, cniDerivedNames(netName, ids.c).ifbDevice]) await attempt(() => deleteLink(name));
  manager?.close();
  for (const d of [dataDir, runDir]) if (d) await attempt(() => rm(d, { recursive: true, force: true }));
  if (before) await attempt(() => restoreHostNet(before!));
  if (problems.length) throw new AggregateError(problems, 'network test cleanup had problems');
});

describe('networks', () => {
  it('creates, lists and inspects a network', async () => {
    const info = await manager.create({ name: netName, subnet: subnets[0], bridge });
    const base = subnets[0]!.replace(/\.0\/24$/, '');
    expect(info).toMatchObject({ name: netName, bridge, subnet: subnets[0], gateway: `${base}.1`, prefix: 24, ipMasq: true, containers: [] });
    const all = await manager.list();
    expect(all.map((n) => n.name)).toEqual([defName, netName]);
    expect(all[0]).toMatchObject({ isDefault: true, bridge: defBridge, subnet: subnets[1] });
    expect((await manager.inspect(netName)).subnet).toBe(subnets[0]);
  });

  it('refuses a taken name, an overlapping subnet, a host route, a taken bridge and bad input', async () => {
    expect((await rejection(manager.create({ name: netName }))).kind).toBe('conflict');
    const overlap = await rejection(manager.create({ name: `cgdt-${tag}-x`, subnet: subnets[0]!.replace(/\/24$/, '/25') }));
    expect(overlap.kind).toBe('conflict');
    expect(overlap.message).toContain(`network ${netName}`);
    const hostRoute = (await listRoutes()).find((r) => r.dev && !r.dev.startsWith('cgd') && r.dst.prefix >= 8 && r.dst.prefix <= 29 && r.dst.network >>> 24 !== 127);
    if (hostRoute) {
      const { formatCidr } = await import('./ipv4');
      const err = await rejection(manager.create({ name: `cgdt-${tag}-x`, subnet: formatCidr(hostRoute.dst) }));
      expect(err.kind).toBe('conflict');
      expect(err.message).toContain('host route');
    }
    expect((await rejection(manager.create({ name: `cgdt-${tag}-x`, bridge: 'lo' }))).message).toContain('interface lo already exists');
    expect((await rejection(manager.create({ name: `cgdt-${tag}-x`, bridge }))).message).toContain(`used by network ${netName}`);
    expect((await rejection(manager.create({ name: 'Bad Name' }))).kind).toBe('invalid');
    expect((await rejection(manager.create({ name: `cgdt-${tag}-x`, subnet: '10.1.2.3/24' }))).message).toContain('did you mean');
    expect((await rejection(manager.remove(`cgdt-${tag}-nope`))).kind).toBe('not_found');
    expect((await rejection(manager.remove(defName))).kind).toBe('forbidden');
  });

  it('says which setting to change when the default subnet clashes with the host, and lists the rest', async () => {
    const hostRoute = (await listRoutes()).find((r) => r.dev && !r.dev.startsWith('cgd') && r.dst.prefix >= 8 && r.dst.prefix <= 29 && r.dst.network >>> 24 !== 127);
    if (!hostRoute) return;
    const { formatCidr } = await import('./ipv4');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-net-data-'));
    const clashing = new NetworkManager({ dataDir: dir, runDir: dir, defaultNetwork: { name: `cgdt-${tag}-clash`, bridge: `cgdt${tag}x`, subnet: formatCidr(hostRoute.dst) } });
    try {
      expect(await clashing.list()).toEqual([]);
      const err = await rejection(clashing.hostsFor(`cgdt-${tag}-clash`));
      expect(err.kind).toBe('conflict');
      expect(err.message).toMatch(/^default network cgdt-\w+-clash: subnet .* overlaps host route .*change the default subnet/);
    } finally {
      clashing.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('allocates the next free /24 of the pool when no subnet is given', async () => {
    const auto = await manager.create({ name: `cgdt-${tag}-auto` });
    const pool = subnets[0]!.split('.').slice(0, 2).join('.');
    expect(auto.subnet.startsWith(`${pool}.`)).toBe(true);
    expect(auto.subnet).not.toBe(subnets[0]);
    expect(auto.bridge).toMatch(/^cgdash\d+$/);
    await manager.remove(auto.name);
    expect((await manager.list()).map((n) => n.name)).not.toContain(auto.name);
  });
});

describe('attach, publish, detach', () => {
  const ports = { a1: 0, a2: 0, a3: 0 };

  it('attaches a namespace: its address, routes, published ports and rate limits are set up', async () => {
    ports.a1 = await freePort('tcp');
    ports.a2 = await freePort('tcp');
    ports.a3 = await freePort('udp');
    const res = await manager.attach({
      containerId: ids.a,
      containerName: 'web',
      netnsPath: netns.a.path,
      network: netName,
      ports: [parsePortSpec(`127.0.0.1:${ports.a1}:80`), parsePortSpec(`${ports.a2}:81`), parsePortSpec(`127.0.0.1:${ports.a3}:82/udp`)],
      ingressRateBps: 1_000_000,
      egressRateBps: 500_000,
    });
    const base = subnets[0]!.replace(/\.0\/24$/, '');
    expect(res.ips).toHaveLength(1);
    const ip = res.ips[0]!;
    expect(ip).toMatchObject({ network: netName, gateway: `${base}.1`, prefix: 24 });
    expect(ip.address.startsWith(`${base}.`)).toBe(true);
    addresses.a = ip.address;
    expect(res.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: ports.a1, containerPort: 80, protocol: 'tcp' },
      { hostPort: ports.a2, containerPort: 81, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: ports.a3, containerPort: 82, protocol: 'udp' },
    ]);
    expect(res.hostsEntries).toEqual([{ ip: ip.address, name: 'web' }]);

    const inside = JSON.parse((await execOk('ip', ['-n', netns.a.name, '-j', 'addr', 'show', 'dev', 'eth0'])).stdout) as {
      addr_info: { family: string; local: string; prefixlen: number }[];
    }[];
    expect(inside[0]!.addr_info.filter((a) => a.family === 'inet')).toEqual([
      expect.objectContaining({ local: ip.address, prefixlen: 24 }),
    ]);
    const routes = JSON.parse((await execOk('ip', ['-n', netns.a.name, '-j', 'route', 'show', 'default'])).stdout) as { gateway: string }[];
    expect(routes[0]?.gateway).toBe(`${base}.1`);
    expect(await linksIn(netns.a)).toEqual(expect.arrayContaining(['lo', 'eth0']));

    // bandwidth: tbf on the host end of the veth (into the container), tbf on the ifb (out of it).
    const veths = (await listLinks()).filter((l) => l.master === bridge);
    expect(veths).toHaveLength(1);
    const qdiscs = async (dev: string) =>
      JSON.parse((await execOk('tc', ['-j', 'qdisc', 'show', 'dev', dev])).stdout) as { kind: string; options?: { rate?: number } }[];
    expect((await qdiscs(veths[0]!.ifname)).find((q) => q.kind === 'tbf')?.options?.rate).toBe(1_000_000);
    const ifb = cniDerivedNames(netName, ids.a).ifbDevice;
    expect(await linkExists(ifb)).toBe(true);
    expect((await qdiscs(ifb)).find((q) => q.kind === 'tbf')?.options?.rate).toBe(500_000);

    await manager.check({ containerId: ids.a, network: netName, netnsPath: netns.a.path });
  });

  it('publishes tcp and udp ports reachable from 127.0.0.1 on the host', async () => {
    await startServerIn('a');
    expect(await tcpRead('127.0.0.1', ports.a1)).toBe('hello 80\n');
    expect(await tcpRead('127.0.0.1', ports.a2)).toBe('hello 81\n');
    expect(await udpExchange('127.0.0.1', ports.a3)).toBe('pong 82\n');
  });

  it('connects two attached namespaces by address and names both in hostsFor', async () => {
    const res = await manager.attach({ containerId: ids.b, containerName: 'db', netnsPath: netns.b.path, network: netName, ports: [] });
    addresses.b = res.ips[0]!.address;
    expect(addresses.b).not.toBe(addresses.a);
    const hosts = [
      { ip: addresses.a, name: 'web' },
      { ip: addresses.b, name: 'db' },
    ];
    expect(res.hostsEntries).toEqual(hosts);
    expect(await manager.hostsFor(netName)).toEqual(hosts);
    const ping = await exec('ip', ['netns', 'exec', netns.b.name, 'busybox', 'ping', '-c', '1', '-W', '5', addresses.a!]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const nc = await execOk('ip', ['netns', 'exec', netns.b.name, 'busybox', 'nc', '-w', '5', addresses.a!, '80']);
    expect(nc.stdout).toBe('hello 80\n');
  });

  it('refuses a host port that is in use or already published, and leaves nothing behind', async () => {
    const busyPort = await freePort('tcp');
    const server = net.createServer();
    hostServers.push(server);
    await new Promise<void>((resolve) => server.listen(busyPort, '127.0.0.1', resolve));
    const attachC = (spec: string) =>
      manager.attach({ containerId: ids.c, containerName: 'cache', netnsPath: netns.c.path, network: netName, ports: [parsePortSpec(spec)] });

    const inUse = await rejection(attachC(`127.0.0.1:${busyPort}:80`));
    expect(inUse.kind).toBe('conflict');
    expect(inUse.message).toContain(String(busyPort));
    const published = await rejection(attachC(`${ports.a2}:80`));
    expect(published.kind).toBe('conflict');
    expect(published.message).toContain(String(ports.a2));
    expect((await rejection(attachC(`127.0.0.1:${ports.a1}:80`))).message).toContain(String(ports.a1));
    const notHere = await rejection(attachC(`203.0.113.7:${busyPort}:80`));
    expect(notHere.kind).toBe('invalid');
    expect(notHere.message).toContain('203.0.113.7 is not an address of this host');
    const again = await rejection(
      manager.attach({ containerId: ids.a, containerName: 'web', netnsPath: netns.a.path, network: netName, ports: [] }),
    );
    expect(again.kind).toBe('conflict');
    const badNetns = await rejection(
      manager.attach({ containerId: ids.c, containerName: 'cache', netnsPath: dataDir, network: netName, ports: [] }),
    );
    expect(badNetns).toMatchObject({ kind: 'invalid', details: { field: 'netnsPath' } });
    const noNet = await rejection(
      manager.attach({ containerId: ids.c, containerName: 'cache', netnsPath: netns.c.path, network: `cgdt-${tag}-nope`, ports: [] }),
    );
    expect(noNet.kind).toBe('not_found');

    expect(await containerLeftovers(['c'])).toEqual([]);
    expect(await linksIn(netns.c)).toEqual(['lo']);
    expect((await manager.inspect(netName)).containers.map((c) => c.containerId)).toEqual([ids.a, ids.b]);
  });

  it('a detach from a network the container never joined leaves its other interface alone', async () => {
    await manager.detach({ containerId: ids.a, netnsPath: netns.a.path, network: defName, ports: [] });
    expect(await linksIn(netns.a)).toContain('eth0');
    expect(await tcpRead('127.0.0.1', ports.a1)).toBe('hello 80\n');
  });

  it('rolls back every plugin when one fails midway (the kernel refuses the ifb name)', async () => {
    const ifb = cniDerivedNames(netName, ids.c).ifbDevice;
    await execOk('ip', ['link', 'add', ifb, 'type', 'bridge']);
    try {
      const err = await rejection(
        manager.attach({ containerId: ids.c, containerName: 'cache', netnsPath: netns.c.path, network: netName, ports: [parsePortSpec('127.0.0.1::80')], egressRateBps: 100_000 }),
      );
      expect(err.message).toContain('CNI bandwidth ADD');
    } finally {
      await deleteLink(ifb);
    }
    expect(await containerLeftovers(['c'])).toEqual([]);
    expect(await linksIn(netns.c)).toEqual(['lo']);
    expect((await manager.inspect(netName)).containers.map((c) => c.containerId)).toEqual([ids.a, ids.b]);
  });

  it('picks a free host port for hostPort 0 and serves on it', async () => {
    const res = await manager.attach({
      containerId: ids.c,
      containerName: 'cache',
      netnsPath: netns.c.path,
      network: netName,
      ports: [parsePortSpec('127.0.0.1::80')],
    });
    addresses.c = res.ips[0]!.address;
    const port = res.ports[0]!.hostPort;
    expect(port).toBeGreaterThan(0);
    expect((await manager.inspect(netName)).containers.find((c) => c.containerId === ids.c)?.ports).toEqual(res.ports);
    await startServerIn('c');
    expect(await tcpRead('127.0.0.1', port)).toBe('hello 80\n');
    await manager.detach({ containerId: ids.c, netnsPath: netns.c.path, network: netName, ports: res.ports });
    expect(await containerLeftovers(['c'])).toEqual([]);
  });

  it('will not remove a network while containers are attached', async () => {
    const err = await rejection(manager.remove(netName));
    expect(err.kind).toBe('busy');
    expect(err.message).toContain('web');
  });

  it('detaches with the namespace present: no veth, rule, lease, ifb or qdisc left; again is a no-op', async () => {
    expect((await containerLeftovers(['a'])).length).toBeGreaterThan(0);
    await manager.detach({ containerId: ids.a, netnsPath: netns.a.path, network: netName, ports: [] });
    expect(await containerLeftovers(['a'])).toEqual([]);
    expect(await linksIn(netns.a)).toEqual(['lo']);
    await expect(manager.detach({ containerId: ids.a, netnsPath: netns.a.path, network: netName, ports: [] })).resolves.toBeUndefined();
    await expect(tcpRead('127.0.0.1', ports.a1)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('detaches after the namespace is already gone', async () => {
    await netns.b.remove();
    await manager.detach({ containerId: ids.b, netnsPath: netns.b.path, network: netName, ports: [] });
    expect(await containerLeftovers(['b'])).toEqual([]);
    expect((await manager.inspect(netName)).containers).toEqual([]);
  });

  it('detaches with no record left (a lost database) from the leases and the ports given', async () => {
    const port = await freePort('tcp');
    const published = [parsePortSpec(`127.0.0.1:${port}:80`)];
    const res = await manager.attach({ containerId: ids.e, containerName: 'lost', netnsPath: netns.e.path, network: defName, ports: published });
    addresses.e = res.ips[0]!.address;
    const defScope = [{ name: defName, bridge: defBridge }];
    expect((await containerLeftovers(['e'], defScope)).length).toBeGreaterThan(0);

    const freshDataDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-test-net-data-'));
    const amnesiac = new NetworkManager({ dataDir: freshDataDir, runDir, defaultNetwork: { name: defName, bridge: defBridge, subnet: subnets[1] } });
    try {
      await amnesiac.detach({ containerId: ids.e, netnsPath: netns.e.path, network: defName, ports: published });
    } finally {
      amnesiac.close();
      await rm(freshDataDir, { recursive: true, force: true });
    }
    expect(await containerLeftovers(['e'], defScope)).toEqual([]);
    expect(await linksIn(netns.e)).toEqual(['lo']);
    // The first manager still has its record; its detach is then a harmless repeat.
    await manager.detach({ containerId: ids.e, netnsPath: netns.e.path, network: defName, ports: [] });
    expect((await manager.inspect(defName)).containers).toEqual([]);
  });

  it('removes the network and its bridge; nothing of the test is left', async () => {
    await manager.remove(netName);
    expect(await linkExists(bridge)).toBe(false);
    expect(await stat(path.join(manager.ipamDir, netName)).then(() => true, () => false)).toBe(false);
    expect((await manager.list()).map((n) => n.name)).toEqual([defName]);
    // The default network cannot be removed through the manager; its test bridge goes by hand.
    await deleteLink(defBridge);
    await rm(path.join(manager.ipamDir, defName), { recursive: true, force: true });
    const everything = await leftovers(scopeOf(['a', 'b', 'c', 'e'], [{ name: netName, bridge }, { name: defName, bridge: defBridge }]));
    expect(everything).toEqual([]);
    const rules = (await saveAll()).split('\n').filter((l) => Object.values(ids).some((id) => l.includes(id)));
    expect(rules).toEqual([]);
  });
});
