/**
 * What of cgdash's networking is still on the host for a given scope: bridges, veths enslaved
 * to them, bandwidth ifb devices, their qdiscs, iptables rules and host-local leases. Tests
 * assert it is empty after detach/remove; an admin page can show it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '@/server/lib/exec';
import { listLinks } from './host-net';
import { saveAll } from './iptables';
import { cniDerivedNames } from './names';
import { readLeases } from './sweep';

export interface LeftoverScope {
  /** Networks to look at (name as CNI sees it, host bridge). */
  networks: readonly { name: string; bridge: string }[];
  containerIds: readonly string[];
  /** Container addresses handed out in this scope (firewall rules name only the address). */
  addresses?: readonly string[];
  /** host-local's lease directory (NetworkManager.ipamDir). */
  ipamDir: string;
}

export type LeftoverKind = 'bridge' | 'veth' | 'ifb' | 'qdisc' | 'iptables' | 'lease' | 'ipam-dir';

export interface Leftover {
  kind: LeftoverKind;
  /** Interface name, iptables rule line, or file path. */
  name: string;
  /** For a veth: the bridge it hangs on; for a qdisc: its kind. */
  detail?: string;
}

interface TcQdiscJson {
  kind: string;
  dev: string;
}

const SHAPING_QDISCS = new Set(['tbf', 'ingress', 'htb', 'clsact']);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function leftovers(scope: LeftoverScope): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const bridges = new Set(scope.networks.map((n) => n.bridge));
  const derived = scope.networks.flatMap((n) => scope.containerIds.map((id) => cniDerivedNames(n.name, id)));
  const ifbs = new Set(derived.map((d) => d.ifbDevice));

  const links = await listLinks();
  const devices = new Set<string>();
  for (const l of links) {
    if (bridges.has(l.ifname)) found.push({ kind: 'bridge', name: l.ifname });
    else if (l.master && bridges.has(l.master)) found.push({ kind: 'veth', name: l.ifname, detail: `on ${l.master}` });
    else if (ifbs.has(l.ifname)) found.push({ kind: 'ifb', name: l.ifname });
    else continue;
    devices.add(l.ifname);
  }

  const tc = await exec('tc', ['-j', 'qdisc', 'show']);
  if (tc.code === 0) {
    for (const q of JSON.parse(tc.stdout || '[]') as TcQdiscJson[]) {
      if (devices.has(q.dev) && SHAPING_QDISCS.has(q.kind)) found.push({ kind: 'qdisc', name: q.dev, detail: q.kind });
    }
  }

  const patterns: RegExp[] = [
    ...derived.flatMap((d) => [d.masqChain, d.dnatChain]).map((c) => new RegExp(`(^|[\\s:])${escapeRegExp(c)}(\\s|$)`)),
    ...scope.containerIds.map((id) => new RegExp(`id: \\\\"${escapeRegExp(id)}\\\\"`)),
    ...[...bridges].map((b) => new RegExp(`\\s-[io] ${escapeRegExp(b)}(\\s|$)`)),
    ...(scope.addresses ?? []).map((a) => new RegExp(`\\s${escapeRegExp(a)}(/32)?(\\s|:|$)`)),
  ];
  for (const line of (await saveAll()).split('\n')) {
    if (line.startsWith('#') || line.startsWith('*') || line === 'COMMIT') continue;
    if (patterns.some((p) => p.test(line))) found.push({ kind: 'iptables', name: line });
  }

  const ids = new Set(scope.containerIds);
  const addresses = new Set(scope.addresses ?? []);
  for (const n of scope.networks) {
    for (const lease of await readLeases(scope.ipamDir, n.name)) {
      if (ids.has(lease.containerId) || addresses.has(lease.address)) found.push({ kind: 'lease', name: lease.file });
    }
    const dir = path.join(scope.ipamDir, n.name);
    if (await stat(dir).then(() => true, () => false)) found.push({ kind: 'ipam-dir', name: dir });
  }
  return found;
}
