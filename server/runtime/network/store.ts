/** SQLite rows of networks and attachments, as typed records. No kernel calls here. */
import type { Db } from '@/server/db';
import type { CniResult, ConfList, NetworkRecord, RuntimeConfig } from './cni-config';
import type { PortMapping } from './types';

export interface AttachmentRecord {
  containerId: string;
  network: string;
  containerName: string;
  ifName: string;
  netnsPath: string;
  confList: ConfList;
  runtimeConfig: RuntimeConfig;
  /** null until every plugin's ADD succeeded. */
  addResult: CniResult | null;
  address: string | null;
  bootId: string;
  createdAt: number;
  ports: PortMapping[];
}

export interface PublishedPort extends PortMapping {
  containerId: string;
  network: string;
}

interface NetworkRow {
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ip_masq: number;
  mtu: number | null;
  created_at: number;
}

interface AttachmentRow {
  container_id: string;
  network: string;
  container_name: string;
  if_name: string;
  netns_path: string;
  conflist: string;
  runtime_config: string;
  add_result: string | null;
  address: string | null;
  boot_id: string;
  created_at: number;
}

interface PortRow {
  container_id: string;
  network: string;
  host_ip: string;
  host_port: number;
  container_port: number;
  protocol: 'tcp' | 'udp';
}

function toNetwork(r: NetworkRow): NetworkRecord {
  return {
    name: r.name,
    bridge: r.bridge,
    subnet: r.subnet,
    gateway: r.gateway,
    ipMasq: r.ip_masq === 1,
    mtu: r.mtu,
    createdAt: r.created_at,
  };
}

function toPort(r: PortRow): PublishedPort {
  const base = { hostPort: r.host_port, containerPort: r.container_port, protocol: r.protocol };
  return { containerId: r.container_id, network: r.network, ...(r.host_ip ? { hostIp: r.host_ip } : {}), ...base };
}

function stripOwner(p: PublishedPort): PortMapping {
  const { containerId: _c, network: _n, ...mapping } = p;
  return mapping;
}

export class NetworkStore {
  constructor(private readonly db: Db) {}

  listNetworks(): NetworkRecord[] {
    return this.db.prepare<[], NetworkRow>('SELECT * FROM networks ORDER BY created_at, name').all().map(toNetwork);
  }

  getNetwork(name: string): NetworkRecord | undefined {
    const row = this.db.prepare<[string], NetworkRow>('SELECT * FROM networks WHERE name = ?').get(name);
    return row && toNetwork(row);
  }

  insertNetwork(n: NetworkRecord): void {
    this.db
      .prepare('INSERT INTO networks (name, bridge, subnet, gateway, ip_masq, mtu, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(n.name, n.bridge, n.subnet, n.gateway, n.ipMasq ? 1 : 0, n.mtu, n.createdAt);
  }

  deleteNetwork(name: string): void {
    this.db.prepare('DELETE FROM networks WHERE name = ?').run(name);
  }

  private portsByAttachment(where: string, ...params: string[]): Map<string, PortMapping[]> {
    const rows = this.db.prepare<string[], PortRow>(`SELECT * FROM network_ports ${where} ORDER BY rowid`).all(...params);
    const map = new Map<string, PortMapping[]>();
    for (const r of rows) {
      const key = `${r.container_id}\0${r.network}`;
      map.set(key, [...(map.get(key) ?? []), stripOwner(toPort(r))]);
    }
    return map;
  }

  private toAttachments(rows: AttachmentRow[], ports: Map<string, PortMapping[]>): AttachmentRecord[] {
    return rows.map((r) => ({
      containerId: r.container_id,
      network: r.network,
      containerName: r.container_name,
      ifName: r.if_name,
      netnsPath: r.netns_path,
      confList: JSON.parse(r.conflist) as ConfList,
      runtimeConfig: JSON.parse(r.runtime_config) as RuntimeConfig,
      addResult: r.add_result === null ? null : (JSON.parse(r.add_result) as CniResult),
      address: r.address,
      bootId: r.boot_id,
      createdAt: r.created_at,
      ports: ports.get(`${r.container_id}\0${r.network}`) ?? [],
    }));
  }

  attachmentsOfNetwork(network: string): AttachmentRecord[] {
    const rows = this.db
      .prepare<[string], AttachmentRow>('SELECT * FROM network_attachments WHERE network = ? ORDER BY created_at, container_id')
      .all(network);
    return this.toAttachments(rows, this.portsByAttachment('WHERE network = ?', network));
  }

  attachmentsOfContainer(containerId: string): AttachmentRecord[] {
    const rows = this.db
      .prepare<[string], AttachmentRow>('SELECT * FROM network_attachments WHERE container_id = ? ORDER BY created_at')
      .all(containerId);
    return this.toAttachments(rows, this.portsByAttachment('WHERE container_id = ?', containerId));
  }

  getAttachment(containerId: string, network: string): AttachmentRecord | undefined {
    return this.attachmentsOfContainer(containerId).find((a) => a.network === network);
  }

  countAttachments(network: string): number {
    return this.db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM network_attachments WHERE network = ?')
      .get(network)!.n;
  }

  allPublishedPorts(): PublishedPort[] {
    return this.db.prepare<[], PortRow>('SELECT * FROM network_ports ORDER BY rowid').all().map(toPort);
  }

  /** Record an attachment before its ADD runs, so a crash mid-ADD leaves something to DEL. */
  insertAttachment(a: Omit<AttachmentRecord, 'addResult' | 'address'>): void {
    const insertPort = this.db.prepare(
      'INSERT INTO network_ports (container_id, network, host_ip, host_port, container_port, protocol) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO network_attachments (container_id, network, container_name, if_name, netns_path, conflist,
             runtime_config, add_result, address, boot_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
        )
        .run(
          a.containerId,
          a.network,
          a.containerName,
          a.ifName,
          a.netnsPath,
          JSON.stringify(a.confList),
          JSON.stringify(a.runtimeConfig),
          a.bootId,
          a.createdAt,
        );
      for (const p of a.ports) {
        insertPort.run(a.containerId, a.network, p.hostIp ?? '', p.hostPort, p.containerPort, p.protocol);
      }
    })();
  }

  setAddResult(containerId: string, network: string, result: CniResult, address: string): void {
    this.db
      .prepare('UPDATE network_attachments SET add_result = ?, address = ? WHERE container_id = ? AND network = ?')
      .run(JSON.stringify(result), address, containerId, network);
  }

  deleteAttachment(containerId: string, network: string): void {
    this.db.prepare('DELETE FROM network_attachments WHERE container_id = ? AND network = ?').run(containerId, network);
  }

  /** Forget attachments made before the last reboot; returns how many. */
  dropAttachmentsOfOtherBoots(bootId: string): number {
    return this.db.prepare('DELETE FROM network_attachments WHERE boot_id != ?').run(bootId).changes;
  }
}
