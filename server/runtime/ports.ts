/**
 * What the engine needs from its neighbours, as narrow interfaces: the cgroup manager
 * (server/cgroup, `openCgroups`) and the network manager (./network). The engine is handed
 * instances; tests use the real ones.
 */
import type { CgroupDetail, CgroupMode, CgroupPlacement, Limits, LimitsPatch, StatsMask, Usage } from '@/server/cgroup/model';
import type { PortMapping } from './spec-formats';

export interface CgroupsPort {
  readonly mode: CgroupMode;
  /** CGDASH_CGROUP_ROOT as configured. */
  readonly managedRootName: string;
  resolve(ref: string): CgroupPlacement[];
  get(ref: string): Promise<CgroupDetail>;
  /** Usage of some areas only (cheaper than get). */
  readUsage(ref: string, mask: StatsMask): Promise<{ usage: Usage }>;
  setLimits(ref: string, patch: LimitsPatch): Promise<Limits>;
  remove(ref: string, opts: { kill?: boolean }): Promise<void>;
  create(ref: string): Promise<unknown>;
  moveProcess(pid: number, ref: string): Promise<void>;
  pidsOf(ref: string): Promise<number[]>;
}

export interface NetworkAttachResult {
  ips: { network: string; address: string; gateway: string; prefix: number }[];
  ports: PortMapping[];
  hostsEntries: { ip: string; name: string }[];
}

/** The network module's contract (server/runtime/network: NetworkManager). Rates in bytes per second. */
export interface NetworkPort {
  attach(opts: {
    containerId: string;
    containerName: string;
    netnsPath: string;
    network: string;
    ports: PortMapping[];
    ingressRateBps?: number;
    egressRateBps?: number;
  }): Promise<NetworkAttachResult>;
  /** Idempotent; works when the netns is gone. */
  detach(opts: { containerId: string; netnsPath: string; network: string; ports: PortMapping[] }): Promise<void>;
}
