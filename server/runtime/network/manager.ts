/**
 * Container networking: named bridge networks and the attachment of a container's network
 * namespace to them, by running the CNI plugins (bridge + host-local, portmap, firewall,
 * bandwidth, loopback) as a runtime does. State is in SQLite: networks, and per attachment the
 * exact config, runtimeConfig and ADD result that its DEL will need.
 */
import { readFile, rm, statfs, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { migrate, openDatabase, type Db } from '@/server/db';
import { CgdashError } from '@/server/lib/errors';
import {
  bandwidthFor,
  buildConfList,
  loopbackConf,
  runtimeConfigFor,
  type CniResult,
  type ConfList,
  type NetworkRecord,
  type RuntimeConfig,
} from './cni-config';
import { addChain, checkChain, delChain, invokePlugin, CniAddError, type CniTarget } from './cni-exec';
import { probeHostPort } from './host-ports';
import { deleteLink, listLinks, listRoutes } from './host-net';
import { listTable } from './iptables';
import { formatCidr, parseCidrLoose, parseSubnet, type Ipv4Cidr } from './ipv4';
import { cniDerivedNames, validateBridgeName, validateContainerId, validateContainerName, validateNetworkName } from './names';
import { planNetwork } from './plan';
import { assertNoClashWithin, formatPortMapping, normalizePortMapping, portsClash } from './ports';
import { networkMigrations } from './schema';
import { NetworkStore, type AttachmentRecord } from './store';
import { readLeases, sweepAttachment } from './sweep';
import type {
  AttachOptions,
  AttachResult,
  DetachOptions,
  HostsEntry,
  NetworkInfo,
  NetworkSpec,
  PortMapping,
} from './types';

export const DEFAULT_NETWORK_NAME = 'cgdash0';
export const DEFAULT_BRIDGE = 'cgdash0';
/** Next to podman's 10.88.0.0/16, and inside the pool named networks take their /24s from. */
export const DEFAULT_SUBNET = '10.89.0.0/24';
export const DEFAULT_SUBNET_POOL = '10.89.0.0/16';
export const DEFAULT_CNI_PLUGIN_DIR = '/usr/lib/cni';

export interface NetworkManagerOptions {
  dataDir: string;
  runDir: string;
  /** Where the CNI plugin binaries are (Debian: /usr/lib/cni). */
  cniPluginDir?: string;
  /** The server's store; without it the manager opens `<dataDir>/network.db`. */
  db?: Db;
  /** The network containers join unless told otherwise (settings; defaults cgdash0 / 10.89.0.0/24). */
  defaultNetwork?: { name?: string; bridge?: string; subnet?: string };
  /** Where `create()` without a subnet takes the next free /24 from. */
  subnetPool?: string;
}

const NSFS_MAGIC = 0x6e736673;

/** Whether `p` is a live network namespace (a bind mount of nsfs or /proc/<pid>/ns/net). */
async function isNetns(p: string): Promise<boolean> {
  try {
    return Number((await statfs(p)).type) === NSFS_MAGIC;
  } catch {
    return false;
  }
}

async function readBootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

export class NetworkManager {
  /** host-local's lease directory. Under the run dir: leases die with the reboot that kills their veths. */
  readonly ipamDir: string;
  readonly defaultNetworkName: string;
  private readonly defaultBridge: string;
  private readonly defaultSubnet: string;
  private readonly subnetPool: Ipv4Cidr;
  private readonly pluginDir: string;
  private readonly store: NetworkStore;
  private readonly ownDb: Db | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private bootId: string | undefined;

  constructor(opts: NetworkManagerOptions) {
    if (!path.isAbsolute(opts.dataDir) || !path.isAbsolute(opts.runDir)) {
      throw new CgdashError('invalid', 'network manager: dataDir and runDir must be absolute paths');
    }
    this.ipamDir = path.join(opts.runDir, 'cni', 'ipam');
    this.pluginDir = opts.cniPluginDir ?? DEFAULT_CNI_PLUGIN_DIR;
    this.defaultNetworkName = validateNetworkName(opts.defaultNetwork?.name ?? DEFAULT_NETWORK_NAME);
    this.defaultBridge = validateBridgeName(opts.defaultNetwork?.bridge ?? DEFAULT_BRIDGE);
    this.defaultSubnet = formatCidr(parseSubnet(opts.defaultNetwork?.subnet ?? DEFAULT_SUBNET, 'defaultNetwork.subnet'));
    this.subnetPool = parseSubnet(opts.subnetPool ?? DEFAULT_SUBNET_POOL, 'subnetPool');
    if (opts.db) {
      migrate(opts.db, networkMigrations);
      this.store = new NetworkStore(opts.db);
    } else {
      this.ownDb = openDatabase(path.join(opts.dataDir, 'network.db'), networkMigrations);
      this.store = new NetworkStore(this.ownDb);
    }
  }

  /** Close the store if the manager opened it itself. */
  close(): void {
    this.ownDb?.close();
  }

  /** One change at a time: the port checks and the records they rely on must not interleave. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async init(): Promise<void> {
    if (this.bootId !== undefined) return;
    this.bootId = await readBootId();
    this.store.dropAttachmentsOfOtherBoots(this.bootId);
  }

  // ---- networks ---------------------------------------------------------------------------

  list(): Promise<NetworkInfo[]> {
    return this.serialize(async () => {
      await this.init();
      await this.ensureDefault().catch(() => undefined);
      return this.store.listNetworks().map((n) => this.info(n));
    });
  }

  inspect(name: string): Promise<NetworkInfo> {
    return this.serialize(async () => {
      await this.init();
      return this.info(await this.requireNetwork(name));
    });
  }

  create(spec: NetworkSpec): Promise<NetworkInfo> {
    return this.serialize(async () => {
      await this.init();
      await this.ensureDefault().catch(() => undefined);
      const record = await this.newRecord(spec, { adoptBridge: false });
      this.store.insertNetwork(record);
      return this.info(record);
    });
  }

  /** Remove a network and its bridge; refused ('busy') while containers are attached. */
  remove(name: string): Promise<void> {
    return this.serialize(async () => {
      await this.init();
      const net = this.store.getNetwork(name);
      if (!net) throw new CgdashError('not_found', `network ${name} does not exist`, { field: 'name', value: name });
      if (name === this.defaultNetworkName) {
        throw new CgdashError('forbidden', `network ${name} is the default network and cannot be removed`, { field: 'name', value: name });
      }
      const attached = this.store.attachmentsOfNetwork(name);
      if (attached.length) {
        const who = attached.map((a) => a.containerName).join(', ');
        throw new CgdashError('busy', `network ${name} is in use by ${attached.length} container(s): ${who}`, { field: 'name', value: name });
      }
      const links = await listLinks();
      const bridge = links.find((l) => l.ifname === net.bridge);
      if (bridge) {
        const ports = links.filter((l) => l.master === net.bridge).map((l) => l.ifname);
        if (ports.length) {
          throw new CgdashError('busy', `bridge ${net.bridge} of network ${name} still has interfaces: ${ports.join(', ')}`, {
            field: 'name',
            value: name,
          });
        }
        if (bridge.kind === 'bridge') await deleteLink(net.bridge);
      }
      await rm(path.join(this.ipamDir, name), { recursive: true, force: true });
      this.store.deleteNetwork(name);
    });
  }

  // ---- attachments ------------------------------------------------------------------------

  attach(opts: AttachOptions): Promise<AttachResult> {
    validateContainerId(opts.containerId);
    validateContainerName(opts.containerName);
    validateNetworkName(opts.network);
    const requested = opts.ports.map(normalizePortMapping);
    assertNoClashWithin(requested);
    const bandwidth = bandwidthFor(opts.ingressRateBps, opts.egressRateBps);
    return this.serialize(async () => {
      await this.init();
      if (!path.isAbsolute(opts.netnsPath) || !(await isNetns(opts.netnsPath))) {
        throw new CgdashError('invalid', `netnsPath: ${opts.netnsPath} is not a network namespace`, {
          field: 'netnsPath',
          value: opts.netnsPath,
        });
      }
      const net = await this.requireNetwork(opts.network);
      const existing = this.store.attachmentsOfContainer(opts.containerId);
      if (existing.some((a) => a.network === net.name)) {
        throw new CgdashError('conflict', `container ${opts.containerName} is already attached to network ${net.name}`, {
          field: 'network',
          value: net.name,
        });
      }
      const nameTaken = this.store.attachmentsOfNetwork(net.name).find((a) => a.containerName === opts.containerName);
      if (nameTaken) {
        throw new CgdashError('conflict', `network ${net.name} already has a container named ${opts.containerName}`, {
          field: 'containerName',
          value: opts.containerName,
        });
      }
      const ports = await this.reservePorts(requested);
      const ifName = nextIfName(existing);
      const confList = buildConfList(net, { ipamDir: this.ipamDir });
      const runtimeConfig = runtimeConfigFor(ports, bandwidth);
      await mkdir(this.ipamDir, { recursive: true, mode: 0o700 });
      this.store.insertAttachment({
        containerId: opts.containerId,
        network: net.name,
        containerName: opts.containerName,
        ifName,
        netnsPath: opts.netnsPath,
        confList,
        runtimeConfig,
        bootId: this.bootId!,
        createdAt: Date.now(),
        ports,
      });
      const target: CniTarget = { pluginDir: this.pluginDir, containerId: opts.containerId, netns: opts.netnsPath, ifName };
      const firstOfContainer = existing.length === 0;
      let added: CniResult | undefined;
      try {
        if (firstOfContainer) await this.loopback('ADD', opts.containerId, opts.netnsPath);
        added = await addChain(target, confList, runtimeConfig);
        const ip = sandboxIp(added, ifName);
        if (!ip) throw new CgdashError('internal', `network ${net.name}: the bridge plugin returned no IPv4 address for ${ifName}`);
        this.store.setAddResult(opts.containerId, net.name, added, ip.address);
        return {
          ips: [{ network: net.name, address: ip.address, gateway: ip.gateway ?? net.gateway, prefix: ip.prefix }],
          ports,
          hostsEntries: this.hostsEntriesOf(net.name),
        };
      } catch (err) {
        await this.undoFailedAttach({ ...target, network: net.name, confList, runtimeConfig, added, firstOfContainer }, err);
        throw err;
      }
    });
  }

  /**
   * After a failed attach: addChain has DELed the plugins that ran; if the whole chain had
   * succeeded and a later step failed, DEL it here. Then sweep and forget the record. When a DEL
   * fails the record stays, so that detach() can finish the job.
   */
  private async undoFailedAttach(
    a: CniTarget & {
      network: string;
      confList: ConfList;
      runtimeConfig: RuntimeConfig;
      added: CniResult | undefined;
      firstOfContainer: boolean;
    },
    cause: unknown,
  ): Promise<void> {
    try {
      if (cause instanceof CniAddError && !cause.rolledBack) return;
      if (a.added) await delChain(a, a.confList, a.runtimeConfig, a.added);
      const addresses = (await readLeases(this.ipamDir, a.network))
        .filter((l) => l.containerId === a.containerId && l.ifName === a.ifName)
        .map((l) => l.address);
      await sweepAttachment({ network: a.network, containerId: a.containerId, ifName: a.ifName, addresses, ipamDir: this.ipamDir });
      if (a.firstOfContainer) await this.loopback('DEL', a.containerId, a.netns);
      this.store.deleteAttachment(a.containerId, a.network);
    } catch (cleanupErr) {
      if (cause instanceof Error) cause.message += `; cleaning up also failed: ${(cleanupErr as Error).message}`;
    }
  }

  /**
   * Take a container off a network. Idempotent; works when the netns is already gone (plugins
   * get CNI_NETNS='' as the spec allows) and when no record survives (DEL with a config built
   * from the network and `ports`).
   */
  detach(opts: DetachOptions): Promise<void> {
    validateContainerId(opts.containerId);
    validateNetworkName(opts.network);
    const fallbackPorts = opts.ports.map(normalizePortMapping);
    return this.serialize(async () => {
      await this.init();
      const netns = (await isNetns(opts.netnsPath)) ? opts.netnsPath : '';
      const rec = this.store.getAttachment(opts.containerId, opts.network);
      if (rec) {
        await this.delAttachment(rec, netns);
        return;
      }
      const net =
        opts.network === this.defaultNetworkName
          ? await this.ensureDefault().catch(() => undefined)
          : this.store.getNetwork(opts.network);
      if (!net) return;
      // Without a record only a lease says which interface in the netns was this network's; with
      // no lease, DEL only host-side state (CNI_NETNS='') so no other network's eth0 is deleted.
      const leases = (await readLeases(this.ipamDir, net.name)).filter((l) => l.containerId === opts.containerId);
      const otherIfNames = new Set(this.store.attachmentsOfContainer(opts.containerId).map((a) => a.ifName));
      const targets = leases.length
        ? [...new Set(leases.map((l) => l.ifName))].map((ifName) => ({ ifName, netns: otherIfNames.has(ifName) ? '' : netns }))
        : [{ ifName: 'eth0', netns: '' }];
      const confList = buildConfList(net, { ipamDir: this.ipamDir });
      const runtimeConfig = runtimeConfigFor(fallbackPorts);
      for (const { ifName, netns: targetNetns } of targets) {
        const target = { pluginDir: this.pluginDir, containerId: opts.containerId, netns: targetNetns, ifName };
        await delChain(target, confList, runtimeConfig, undefined);
        const addresses = leases.filter((l) => l.ifName === ifName).map((l) => l.address);
        await sweepAttachment({ network: net.name, containerId: opts.containerId, ifName, addresses, ipamDir: this.ipamDir });
      }
    });
  }

  private async delAttachment(rec: AttachmentRecord, netns: string): Promise<void> {
    // Read the lease before DEL frees it: without an ADD result it is the only record of the address.
    const leased = (await readLeases(this.ipamDir, rec.network))
      .filter((l) => l.containerId === rec.containerId && l.ifName === rec.ifName)
      .map((l) => l.address);
    const addresses = [...new Set([...(rec.address ? [rec.address] : []), ...leased])];
    await delChain(this.targetOf(rec, netns), rec.confList, rec.runtimeConfig, rec.addResult ?? undefined);
    await sweepAttachment({
      network: rec.network,
      containerId: rec.containerId,
      ifName: rec.ifName,
      addresses,
      ipamDir: this.ipamDir,
    });
    const others = this.store.attachmentsOfContainer(rec.containerId).filter((a) => a.network !== rec.network);
    if (others.length === 0 && netns) await this.loopback('DEL', rec.containerId, netns);
    this.store.deleteAttachment(rec.containerId, rec.network);
  }

  /**
   * CNI CHECK of an attachment: throws when something is missing or changed. portmap 1.1.1's
   * CHECK also looks for its chain in ip6tables and fails for every IPv4-only container, so its
   * DNAT rules are checked here instead.
   */
  check(opts: { containerId: string; network: string; netnsPath: string }): Promise<void> {
    return this.serialize(async () => {
      await this.init();
      const rec = this.store.getAttachment(opts.containerId, opts.network);
      if (!rec?.addResult || !rec.address) {
        throw new CgdashError('not_found', `container ${opts.containerId} is not attached to network ${opts.network}`);
      }
      await checkChain(this.targetOf(rec, opts.netnsPath), rec.confList, rec.runtimeConfig, rec.addResult, new Set(['portmap']));
      await checkPortmapRules(rec, rec.address);
    });
  }

  /** Names resolvable inside a network: every attached container's name and address. */
  hostsFor(network: string): Promise<HostsEntry[]> {
    return this.serialize(async () => {
      await this.init();
      await this.requireNetwork(network);
      return this.hostsEntriesOf(network);
    });
  }

  // ---- helpers ----------------------------------------------------------------------------

  private targetOf(rec: AttachmentRecord, netns: string): CniTarget {
    return { pluginDir: this.pluginDir, containerId: rec.containerId, netns, ifName: rec.ifName };
  }

  private hostsEntriesOf(network: string): HostsEntry[] {
    return this.store
      .attachmentsOfNetwork(network)
      .filter((a) => a.address !== null)
      .map((a) => ({ ip: a.address!, name: a.containerName }));
  }

  private async loopback(command: 'ADD' | 'DEL', containerId: string, netns: string): Promise<void> {
    const list = loopbackConf();
    await invokePlugin(command, { pluginDir: this.pluginDir, containerId, netns, ifName: 'lo' }, list, list.plugins[0]!, {}, undefined);
  }

  private info(n: NetworkRecord): NetworkInfo {
    const cidr = parseCidrLoose(n.subnet)!;
    return {
      name: n.name,
      driver: 'bridge',
      bridge: n.bridge,
      subnet: n.subnet,
      gateway: n.gateway,
      prefix: cidr.prefix,
      ipMasq: n.ipMasq,
      mtu: n.mtu,
      isDefault: n.name === this.defaultNetworkName,
      createdAt: n.createdAt,
      containers: this.store.attachmentsOfNetwork(n.name).map((a) => ({
        containerId: a.containerId,
        containerName: a.containerName,
        ifName: a.ifName,
        address: a.address,
        hostVeth: a.addResult ? hostVethOf(a.addResult, n.bridge, cniDerivedNames(n.name, a.containerId).ifbDevice) : null,
        ports: a.ports,
      })),
    };
  }

  private async requireNetwork(name: string): Promise<NetworkRecord> {
    if (name === this.defaultNetworkName) return this.ensureDefault();
    const net = this.store.getNetwork(name);
    if (!net) throw new CgdashError('not_found', `network ${name} does not exist`, { field: 'network', value: name });
    return net;
  }

  /** The default network's record, made on first use from the settings. */
  private async ensureDefault(): Promise<NetworkRecord> {
    const existing = this.store.getNetwork(this.defaultNetworkName);
    if (existing) return existing;
    let record: NetworkRecord;
    try {
      record = await this.newRecord(
        { name: this.defaultNetworkName, subnet: this.defaultSubnet, bridge: this.defaultBridge },
        { adoptBridge: true },
      );
    } catch (err) {
      if (!(err instanceof CgdashError)) throw err;
      throw new CgdashError(err.kind, `default network ${this.defaultNetworkName}: ${err.message} (change the default subnet or bridge setting)`, {
        ...err.details,
        cause: err,
      });
    }
    this.store.insertNetwork(record);
    return record;
  }

  /** Validate a spec into a record against our networks and the host as it is now. */
  private async newRecord(spec: NetworkSpec, opts: { adoptBridge: boolean }): Promise<NetworkRecord> {
    const [links, routes] = await Promise.all([listLinks(), listRoutes()]);
    return planNetwork(spec, {
      networks: this.store.listNetworks(),
      links,
      routes,
      subnetPool: this.subnetPool,
      adoptBridge: opts.adoptBridge,
    });
  }

  /**
   * Check every published port against our records and the host (bind test), and pick a free
   * port for hostPort 0. Refusals name the port.
   */
  private async reservePorts(requested: PortMapping[]): Promise<PortMapping[]> {
    const published = this.store.allPublishedPorts();
    const chosen: PortMapping[] = [];
    const clashWithRecords = (p: PortMapping) =>
      published.find((q) => portsClash(p, q)) ?? chosen.find((q) => portsClash(p, q));
    for (const p of requested) {
      if (p.hostPort !== 0) {
        const owner = clashWithRecords(p);
        if (owner) {
          const by = 'containerId' in owner ? ` by container ${String(owner.containerId)}` : '';
          throw new CgdashError('conflict', `host port ${p.hostPort}/${p.protocol} is already published${by} (${formatPortMapping(owner)})`, {
            field: 'ports',
            value: formatPortMapping(p),
          });
        }
        await probeHostPort(p);
        chosen.push(p);
        continue;
      }
      let picked: PortMapping | undefined;
      for (let attempt = 0; attempt < 32 && !picked; attempt++) {
        const candidate = { ...p, hostPort: await probeHostPort(p) };
        if (!clashWithRecords(candidate)) picked = candidate;
      }
      if (!picked) throw new CgdashError('unavailable', `no free host port found for ${formatPortMapping(p)}`, { field: 'ports' });
      chosen.push(picked);
    }
    return chosen;
  }
}

/** Every published port has its DNAT rule in the attachment's portmap chain. */
async function checkPortmapRules(rec: AttachmentRecord, address: string): Promise<void> {
  if (!rec.ports.length) return;
  const chain = cniDerivedNames(rec.network, rec.containerId).dnatChain;
  const rules = (await listTable('nat')).rules.filter((r) => r.chain === chain);
  for (const p of rec.ports) {
    const found = rules.some((r) => {
      const arg = (flag: string) => r.args[r.args.indexOf(flag) + 1];
      return (
        r.args.includes('DNAT') &&
        arg('-p') === p.protocol &&
        arg('--dport') === String(p.hostPort) &&
        arg('--to-destination') === `${address}:${p.containerPort}` &&
        (p.hostIp === undefined ? !r.args.includes('-d') : arg('-d') === `${p.hostIp}/32`)
      );
    });
    if (!found) {
      throw new CgdashError('not_found', `published port ${formatPortMapping(p)} of container ${rec.containerId} has no DNAT rule in ${chain}`);
    }
  }
}

function nextIfName(existing: AttachmentRecord[]): string {
  const used = new Set(existing.map((a) => a.ifName));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

/** The host-side interface of the result: neither in the sandbox, nor the bridge, nor the bandwidth ifb. */
export function hostVethOf(result: CniResult, bridge: string, ifbDevice: string): string | null {
  return result.interfaces?.find((i) => !i.sandbox && i.name !== bridge && i.name !== ifbDevice)?.name ?? null;
}

/** The IPv4 address the result puts on the container's interface `ifName`. */
export function sandboxIp(
  result: CniResult,
  ifName: string,
): { address: string; prefix: number; gateway?: string } | undefined {
  for (const ip of result.ips ?? []) {
    const iface = ip.interface === undefined ? undefined : result.interfaces?.[ip.interface];
    if (iface && (iface.name !== ifName || !iface.sandbox)) continue;
    const [address = '', prefix] = ip.address.split('/');
    if (!address.includes('.')) continue;
    return { address, prefix: Number(prefix ?? 32), gateway: ip.gateway };
  }
  return undefined;
}

