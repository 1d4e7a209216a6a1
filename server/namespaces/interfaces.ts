import path from 'node:path';
import { CgdashError, isCgdashError } from '@/server/lib/errors';
import { execOk } from '@/server/lib/exec';
import { readProcLink } from '@/server/procfs/files';
import { isPid } from '@/server/procfs/pids';
import { netnsExists, validateNetnsName } from './netns';

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  /** The address itself ("local" in ip's words). */
  address: string;
  prefixLength: number;
  /** global, link, host, ... */
  scope: string;
  broadcast: string | null;
  /** Peer of a point-to-point address. */
  peer: string | null;
  label: string | null;
  /** IPv6 duplicate-address detection still running. */
  tentative: boolean;
}

export interface NetInterface {
  ifindex: number;
  ifname: string;
  /** rtnetlink kind: veth, bridge, vxlan, wireguard, ...; null for a plain device (eth, lo). */
  kind: string | null;
  /** ARPHRD type: ether, loopback, none, ... */
  linkType: string;
  /** RFC 2863 operational state: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ... */
  operstate: string;
  /** Administratively up (the UP flag). */
  adminUp: boolean;
  flags: string[];
  mtu: number;
  mac: string | null;
  /** Bridge or bond it is enslaved to. */
  master: string | null;
  /** Peer device of a veth (or lower device of a vlan/macvlan): name when in this namespace. */
  peerName: string | null;
  /** Its ifindex, which lives in the namespace `peerNetnsId` when that is set. */
  peerIfindex: number | null;
  peerNetnsId: number | null;
  addresses: InterfaceAddress[];
}

/** Which network namespace to look into: a named one, that of a process, or our own. */
export type InterfaceTarget = { netns: string } | { pid: number } | { self: true };

export interface InterfaceOptions {
  procRoot?: string;
}

/** What `ip -j addr` prints per device (the fields cgdash reads). */
interface IpAddrJson {
  ifindex?: number;
  ifname?: string;
  link?: string | null;
  link_index?: number;
  link_netnsid?: number;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: {
    family?: string;
    local?: string;
    address?: string;
    prefixlen?: number;
    scope?: string;
    broadcast?: string;
    label?: string;
    tentative?: boolean;
  }[];
}

/** Parse the JSON of `ip -d -j addr show` into typed interfaces, ordered by ifindex. */
export function parseIpAddrJson(text: string): NetInterface[] {
  if (!text.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CgdashError('internal', `ip -j addr printed something that is not JSON: ${text.slice(0, 80)}`, { cause: err });
  }
  if (!Array.isArray(parsed)) throw new CgdashError('internal', 'ip -j addr did not print a JSON array');
  return (parsed as IpAddrJson[])
    .filter((d) => typeof d.ifindex === 'number' && typeof d.ifname === 'string')
    .map((d): NetInterface => {
      const flags = d.flags ?? [];
      const addresses = (d.addr_info ?? [])
        .filter((a) => (a.family === 'inet' || a.family === 'inet6') && typeof a.local === 'string')
        .map(
          (a): InterfaceAddress => ({
            family: a.family as 'inet' | 'inet6',
            address: a.local as string,
            prefixLength: a.prefixlen ?? (a.family === 'inet' ? 32 : 128),
            scope: a.scope ?? 'global',
            broadcast: a.broadcast ?? null,
            peer: a.address ?? null,
            label: a.label ?? null,
            tentative: a.tentative === true,
          }),
        );
      return {
        ifindex: d.ifindex as number,
        ifname: d.ifname as string,
        kind: d.linkinfo?.info_kind ?? null,
        linkType: d.link_type ?? 'unknown',
        operstate: d.operstate ?? 'UNKNOWN',
        adminUp: flags.includes('UP'),
        flags,
        mtu: d.mtu ?? 0,
        mac: d.link_type === 'ether' || d.link_type === 'loopback' ? (d.address ?? null) : null,
        master: d.master ?? null,
        peerName: typeof d.link === 'string' ? d.link : null,
        peerIfindex: d.link_index ?? null,
        peerNetnsId: d.link_netnsid ?? null,
        addresses,
      };
    })
    .sort((a, b) => a.ifindex - b.ifindex);
}

// -d adds linkinfo (the kind) to the same single call.
const IP_ADDR_ARGS = ['-d', '-j', 'addr', 'show'] as const;

async function run(file: string, args: readonly string[], what: string): Promise<NetInterface[]> {
  try {
    const { stdout } = await execOk(file, args, { timeoutMs: 30_000 });
    return parseIpAddrJson(stdout);
  } catch (err) {
    if (isCgdashError(err) && err.kind !== 'internal') throw err;
    throw new CgdashError('internal', `listing interfaces of ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Interfaces and addresses inside a network namespace: a named one via `ip -n NAME`, a
 * process's via `nsenter --net=/proc/PID/ns/net ip ...` (argument arrays, no shell).
 */
export async function listInterfaces(target: InterfaceTarget = { self: true }, options: InterfaceOptions = {}): Promise<NetInterface[]> {
  if ('netns' in target) {
    const name = validateNetnsName(target.netns);
    if (!(await netnsExists(name))) {
      throw new CgdashError('not_found', `network namespace "${name}" does not exist`, { field: 'netns', value: name });
    }
    return run('ip', ['-n', name, ...IP_ADDR_ARGS], `network namespace "${name}"`);
  }
  if ('pid' in target) {
    if (!isPid(target.pid)) {
      throw new CgdashError('invalid', `pid: ${String(target.pid)} is not a process id`, { field: 'pid', value: String(target.pid) });
    }
    const nsFile = path.join(options.procRoot ?? '/proc', String(target.pid), 'ns', 'net');
    if ((await readProcLink(nsFile)) === null) {
      throw new CgdashError('not_found', `process ${target.pid} does not exist or its network namespace is hidden`, {
        field: 'pid',
        value: String(target.pid),
      });
    }
    return run('nsenter', [`--net=${nsFile}`, 'ip', ...IP_ADDR_ARGS], `process ${target.pid}'s network namespace`);
  }
  return run('ip', IP_ADDR_ARGS, 'this network namespace');
}
