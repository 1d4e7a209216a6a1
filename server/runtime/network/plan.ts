/**
 * Turn a network spec into a record, given what exists: our networks, the host's links and
 * routes. Pure, so every rule (free name, subnet clear of every network and host route, gateway
 * inside, bridge name free) is unit-tested without touching the host.
 */
import { CgdashError } from '@/server/lib/errors';
import type { NetworkRecord } from './cni-config';
import type { HostLink, HostRoute } from './host-net';
import { formatCidr, formatIpv4, gatewayFor, overlaps, parseCidrLoose, parseSubnet, subnetsOf, type Ipv4Cidr } from './ipv4';
import { validateBridgeName, validateNetworkName } from './names';
import type { NetworkSpec } from './types';

/** Bridges of named networks without an explicit bridge: cgdash1, cgdash2, ... */
export const BRIDGE_PREFIX = 'cgdash';
/** Size of the subnets taken from the pool. */
export const POOL_PREFIX = 24;
export const MIN_MTU = 576;
export const MAX_MTU = 65535;

export interface HostView {
  networks: readonly NetworkRecord[];
  links: readonly HostLink[];
  routes: readonly HostRoute[];
  subnetPool: Ipv4Cidr;
  /** Accept an existing bridge of this name (the default network's, after a lost database). */
  adoptBridge?: boolean;
  now?: number;
}

export function planNetwork(spec: NetworkSpec, host: HostView): NetworkRecord {
  const name = validateNetworkName(spec.name);
  if (host.networks.some((n) => n.name === name)) {
    throw new CgdashError('conflict', `network ${name} already exists`, { field: 'name', value: name });
  }
  if (spec.mtu !== undefined && (!Number.isInteger(spec.mtu) || spec.mtu < MIN_MTU || spec.mtu > MAX_MTU)) {
    throw new CgdashError('invalid', `mtu: ${spec.mtu} is out of range (${MIN_MTU}-${MAX_MTU})`, { field: 'mtu', value: String(spec.mtu) });
  }
  const bridge = bridgeNameFor(spec.bridge, host);
  // Routes through our own bridges are our networks' subnets, already in the list.
  const ownBridges = new Set([...host.networks.map((n) => n.bridge), ...(host.adoptBridge ? [bridge] : [])]);
  const taken = [
    ...host.networks.map((n) => ({ cidr: parseCidrLoose(n.subnet)!, what: `network ${n.name} (${n.subnet})` })),
    ...host.routes.filter((r) => !r.dev || !ownBridges.has(r.dev)).map((r) => ({ cidr: r.dst, what: `host route ${r.text}` })),
  ];
  let subnet: Ipv4Cidr;
  if (spec.subnet !== undefined) {
    subnet = parseSubnet(spec.subnet);
    const clash = taken.find((t) => overlaps(subnet, t.cidr));
    if (clash) {
      throw new CgdashError('conflict', `subnet ${formatCidr(subnet)} overlaps ${clash.what}`, { field: 'subnet', value: spec.subnet });
    }
  } else {
    const prefix = Math.max(POOL_PREFIX, host.subnetPool.prefix);
    const free = [...subnetsOf(host.subnetPool, prefix)].find((c) => !taken.some((t) => overlaps(c, t.cidr)));
    if (!free) {
      throw new CgdashError('unavailable', `no free /${prefix} left in the subnet pool ${formatCidr(host.subnetPool)}; give a subnet`, {
        field: 'subnet',
      });
    }
    subnet = free;
  }
  return {
    name,
    bridge,
    subnet: formatCidr(subnet),
    gateway: formatIpv4(gatewayFor(subnet, spec.gateway)),
    ipMasq: spec.ipMasq ?? true,
    mtu: spec.mtu ?? null,
    createdAt: host.now ?? Date.now(),
  };
}

function bridgeNameFor(given: string | undefined, host: HostView): string {
  const used = new Set(host.networks.map((n) => n.bridge));
  const link = (name: string) => host.links.find((l) => l.ifname === name);
  if (given === undefined) {
    for (let i = 1; ; i++) {
      const candidate = `${BRIDGE_PREFIX}${i}`;
      if (!used.has(candidate) && !link(candidate)) return candidate;
    }
  }
  const bridge = validateBridgeName(given);
  const owner = host.networks.find((n) => n.bridge === bridge);
  if (owner) {
    throw new CgdashError('conflict', `bridge ${bridge} is already used by network ${owner.name}`, { field: 'bridge', value: bridge });
  }
  const existing = link(bridge);
  if (existing && !(host.adoptBridge && existing.kind === 'bridge')) {
    throw new CgdashError('conflict', `interface ${bridge} already exists on the host`, { field: 'bridge', value: bridge });
  }
  return bridge;
}
