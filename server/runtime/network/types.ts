/** A published port: `-p [hostIp:]hostPort:containerPort[/udp]`. */
export interface PortMapping {
  /** Host address the port listens on; absent means every address of the host (0.0.0.0). */
  hostIp?: string;
  /** 1-65535; 0 asks attach() to pick a free port (returned in the attach result). */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface HostsEntry {
  ip: string;
  name: string;
}

export interface IpAssignment {
  network: string;
  /** Container address without prefix, e.g. `10.89.0.2`. */
  address: string;
  gateway: string;
  prefix: number;
}

export interface NetworkContainer {
  containerId: string;
  containerName: string;
  /** Interface name inside the container (`eth0`, `eth1`, ...). */
  ifName: string;
  /** null while the attachment is being set up (or was interrupted by a crash). */
  address: string | null;
  /** Host end of the container's veth pair (its counters are the container's traffic). */
  hostVeth: string | null;
  ports: PortMapping[];
}

export interface NetworkInfo {
  name: string;
  driver: 'bridge';
  /** Linux bridge interface on the host; created by the bridge plugin on first attach. */
  bridge: string;
  subnet: string;
  gateway: string;
  prefix: number;
  ipMasq: boolean;
  /** null: the bridge plugin's default (1500). */
  mtu: number | null;
  isDefault: boolean;
  createdAt: number;
  containers: NetworkContainer[];
}

export interface NetworkSpec {
  /** `[a-z0-9][a-z0-9_.-]{0,31}` */
  name: string;
  /** IPv4 CIDR, e.g. `10.89.7.0/24`; absent: the next free /24 of the subnet pool. */
  subnet?: string;
  /** Absent: the first host address of the subnet. */
  gateway?: string;
  /** Host bridge interface name (max 15 chars); absent: the next free `cgdash<N>`. */
  bridge?: string;
  /** Masquerade traffic leaving the host from this network (default true). */
  ipMasq?: boolean;
  mtu?: number;
}

export interface AttachOptions {
  containerId: string;
  /** Name other containers of the network resolve through /etc/hosts. */
  containerName: string;
  netnsPath: string;
  network: string;
  ports: PortMapping[];
  /** Rate limit of traffic into the container, in BYTES per second (converted to the bits CNI wants). */
  ingressRateBps?: number;
  /** Rate limit of traffic out of the container, in BYTES per second. */
  egressRateBps?: number;
}

export interface AttachResult {
  ips: IpAssignment[];
  /** The published ports as set up: hostPort 0 replaced by the port picked. */
  ports: PortMapping[];
  /** Every container attached to the network, this one included, for /etc/hosts. */
  hostsEntries: HostsEntry[];
}

export interface DetachOptions {
  containerId: string;
  netnsPath: string;
  network: string;
  /** Used only when no record of the attachment survives (portmap's DEL needs the mappings). */
  ports: PortMapping[];
}
