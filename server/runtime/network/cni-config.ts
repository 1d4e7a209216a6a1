/**
 * Network configuration lists for the CNI plugins, built from a network record. The JSON an
 * attachment was ADDed with is stored with it: the spec wants DEL to get the same config.
 */
import { CgdashError } from '@/server/lib/errors';
import type { PortMapping } from './types';

/** containernetworking-plugins 1.1.1 (Debian 12) speak 0.1.0 to 1.0.0; we use the newest. */
export const CNI_VERSION = '1.0.0';

export interface NetworkRecord {
  name: string;
  bridge: string;
  /** CIDR, e.g. `10.89.0.0/24`. */
  subnet: string;
  gateway: string;
  ipMasq: boolean;
  mtu: number | null;
  createdAt: number;
}

export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface ConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
}

/** Entry of the `portMappings` capability (CNI CONVENTIONS.md). */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIP: string;
}

/** The `bandwidth` capability: rates in BITS per second, bursts in BITS. */
export interface CniBandwidth {
  ingressRate?: number;
  ingressBurst?: number;
  egressRate?: number;
  egressBurst?: number;
}

export interface RuntimeConfig {
  portMappings?: CniPortMapping[];
  bandwidth?: CniBandwidth;
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

export interface HostLocalSettings {
  /** host-local's lease directory; one sub-directory per network name. */
  ipamDir: string;
}

/**
 * bridge (+ host-local IPAM) -> portmap -> firewall -> bandwidth. Bandwidth comes last: it is
 * the plugin most likely to be refused by the kernel, and a failure there exercises the full
 * rollback of the plugins before it.
 */
export function buildConfList(net: NetworkRecord, settings: HostLocalSettings): ConfList {
  const bridge: PluginConf = {
    type: 'bridge',
    bridge: net.bridge,
    isGateway: true,
    ipMasq: net.ipMasq,
    // A container reaching its own published port through the host comes back in on the same
    // bridge port; portmap's hairpin SNAT needs the bridge to send it back out there.
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: net.subnet, gateway: net.gateway }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: settings.ipamDir,
    },
  };
  if (net.mtu !== null) bridge.mtu = net.mtu;
  return {
    cniVersion: CNI_VERSION,
    name: net.name,
    plugins: [
      bridge,
      // snat: connections from the host's 127.0.0.1 and hairpin connections are masqueraded, and
      // portmap sets route_localnet on the bridge so 127.0.0.1 may be DNATed across it.
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      { type: 'firewall', backend: 'iptables' },
      { type: 'bandwidth', capabilities: { bandwidth: true } },
    ],
  };
}

export function loopbackConf(): ConfList {
  return { cniVersion: CNI_VERSION, name: 'cgdash-loopback', plugins: [{ type: 'loopback' }] };
}

/** Highest rate accepted: 100 Gbit/s. */
export const MAX_RATE_BYTES_PER_SEC = 12_500_000_000;
/** Lowest rate accepted: below it the token bucket of a sane burst would span minutes. */
export const MIN_RATE_BYTES_PER_SEC = 1024;
/** Smallest burst: a full jumbo frame and then some; tbf drops packets bigger than its burst. */
const MIN_BURST_BYTES = 16 * 1024;

/**
 * Burst for a rate: 100 ms of traffic, at least MIN_BURST_BYTES. The bandwidth plugin needs a
 * burst with every rate; tbf keeps burst/rate as a 32-bit tick count, so it must stay small.
 */
export function burstBytesFor(rateBytesPerSec: number): number {
  return Math.max(Math.ceil(rateBytesPerSec / 10), MIN_BURST_BYTES);
}

function checkRate(value: number, field: string): void {
  if (!Number.isInteger(value) || value < MIN_RATE_BYTES_PER_SEC || value > MAX_RATE_BYTES_PER_SEC) {
    throw new CgdashError(
      'invalid',
      `${field}: ${value} bytes/s is out of range (${MIN_RATE_BYTES_PER_SEC} to ${MAX_RATE_BYTES_PER_SEC} bytes per second)`,
      { field, value: String(value) },
    );
  }
}

/** Our rates are bytes per second (the project's unit); CNI's bandwidth capability is bits. */
export function bandwidthFor(ingressRateBytesPerSec?: number, egressRateBytesPerSec?: number): CniBandwidth | undefined {
  const bw: CniBandwidth = {};
  if (ingressRateBytesPerSec !== undefined) {
    checkRate(ingressRateBytesPerSec, 'ingressRateBps');
    bw.ingressRate = ingressRateBytesPerSec * 8;
    bw.ingressBurst = burstBytesFor(ingressRateBytesPerSec) * 8;
  }
  if (egressRateBytesPerSec !== undefined) {
    checkRate(egressRateBytesPerSec, 'egressRateBps');
    bw.egressRate = egressRateBytesPerSec * 8;
    bw.egressBurst = burstBytesFor(egressRateBytesPerSec) * 8;
  }
  return Object.keys(bw).length ? bw : undefined;
}

export function runtimeConfigFor(ports: readonly PortMapping[], bandwidth?: CniBandwidth): RuntimeConfig {
  const rc: RuntimeConfig = {};
  if (ports.length) {
    rc.portMappings = ports.map((p) => ({
      hostPort: p.hostPort,
      containerPort: p.containerPort,
      protocol: p.protocol,
      hostIP: p.hostIp ?? '',
    }));
  }
  if (bandwidth) rc.bandwidth = bandwidth;
  return rc;
}

/**
 * The JSON one plugin of a list gets on stdin (CNI spec, "Network configuration lists"): the
 * list's name and cniVersion, runtimeConfig only for the capabilities the plugin declares, and
 * the previous result when there is one.
 */
export function pluginInput(
  list: ConfList,
  plugin: PluginConf,
  runtimeConfig: RuntimeConfig,
  prevResult: CniResult | undefined,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  const caps = plugin.capabilities ?? {};
  const rc: Record<string, unknown> = {};
  for (const [cap, value] of Object.entries(runtimeConfig)) {
    if (caps[cap] && value !== undefined) rc[cap] = value;
  }
  if (Object.keys(rc).length) input.runtimeConfig = rc;
  if (prevResult !== undefined) input.prevResult = prevResult;
  return input;
}
