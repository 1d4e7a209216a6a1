/**
 * Test support for networking: network namespaces the test owns (`cgdash-test-<random>`), a
 * process inside one, free subnets, and putting back the host-wide state the CNI plugins change
 * (shared iptables chains, net.ipv4.ip_forward) when the test made that change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { exec, execOk } from '@/server/lib/exec';
import { listRoutes } from './host-net';
import { listTable, removeChain } from './iptables';
import { overlaps, parseSubnet, type Ipv4Cidr } from './ipv4';

export function randomTag(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

export interface TestNetns {
  name: string;
  /** `/var/run/netns/<name>`, what a runtime hands to CNI. */
  path: string;
  remove(): Promise<void>;
}

export async function createTestNetns(tag: string): Promise<TestNetns> {
  const name = `cgdash-test-${tag}`;
  await execOk('ip', ['netns', 'add', name]);
  return {
    name,
    path: `/var/run/netns/${name}`,
    remove: async () => {
      await exec('ip', ['netns', 'delete', name]);
    },
  };
}

export interface NetnsProcess {
  child: ChildProcess;
  /** Resolves with the first stdout line (the process says when it is listening). */
  firstLine: Promise<string>;
  stop(): void;
}

/** Start `argv` inside a netns of the test (`ip netns exec`), argument array, no shell. */
export function spawnInNetns(netns: string, argv: string[]): NetnsProcess {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const firstLine = new Promise<string>((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve(buf.slice(0, nl));
    });
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} in ${netns} exited (${code}) before it was ready: ${err}`)));
    child.on('error', reject);
  });
  firstLine.catch(() => undefined);
  return {
    child,
    firstLine,
    stop: () => {
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    },
  };
}

/** `count` /24s in 10.<200-249>.x.0 that overlap no host route and none of `avoid`. */
export async function freeTestSubnets(count: number, avoid: Ipv4Cidr[] = []): Promise<string[]> {
  const routes = (await listRoutes()).map((r) => r.dst);
  const out: string[] = [];
  const taken = [...routes, ...avoid];
  for (let tries = 0; out.length < count && tries < 1000; tries++) {
    const text = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
    const cidr = parseSubnet(text);
    if (taken.some((t) => overlaps(t, cidr))) continue;
    taken.push(cidr);
    out.push(text);
  }
  if (out.length < count) throw new Error('no free test subnets in 10.200.0.0-10.249.255.255');
  return out;
}

/** Host-wide state the plugins create on first use and never take back. */
export interface HostNetSnapshot {
  ipForward: string;
  natChains: string[];
  filterChains: string[];
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

export async function snapshotHostNet(): Promise<HostNetSnapshot> {
  return {
    ipForward: (await readFile(IP_FORWARD, 'utf8')).trim(),
    natChains: (await listTable('nat')).chains,
    filterChains: (await listTable('filter')).chains,
  };
}

/**
 * Put back what the test's plugins changed host-wide: the shared CNI chains that did not exist
 * before and that nobody uses now (a rule of another container in them keeps them), and
 * net.ipv4.ip_forward (the bridge plugin's isGateway turns it on).
 */
export async function restoreHostNet(before: HostNetSnapshot): Promise<void> {
  const nat = await listTable('nat');
  const newNat = (c: string) => nat.chains.includes(c) && !before.natChains.includes(c);
  const portmapUnused =
    !nat.chains.some((c) => c.startsWith('CNI-DN-')) && !nat.rules.some((r) => r.chain === 'CNI-HOSTPORT-DNAT');
  if (portmapUnused) {
    for (const c of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) if (newNat(c)) await removeChain('nat', c);
  }
  const filter = await listTable('filter');
  const newFilter = (c: string) => filter.chains.includes(c) && !before.filterChains.includes(c);
  const firewallUnused = filter.rules.every((r) => r.chain !== 'CNI-FORWARD' || r.args.includes('CNI-ADMIN'));
  const adminUnused = !filter.rules.some((r) => r.chain === 'CNI-ADMIN');
  if (firewallUnused && adminUnused) {
    for (const c of ['CNI-FORWARD', 'CNI-ADMIN']) if (newFilter(c)) await removeChain('filter', c);
  }
  if ((await readFile(IP_FORWARD, 'utf8')).trim() !== before.ipForward) await writeFile(IP_FORWARD, before.ipForward);
}
