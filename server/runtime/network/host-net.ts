/** What the host's network looks like right now, read through iproute2's JSON output. */
import { CgdashError } from '@/server/lib/errors';
import { exec, execOk } from '@/server/lib/exec';
import { parseCidrLoose, type Ipv4Cidr } from './ipv4';

export interface HostLink {
  ifname: string;
  /** `bridge`, `veth`, `ifb`, ... (absent for plain devices). */
  kind?: string;
  /** The bridge this interface is enslaved to. */
  master?: string;
}

interface IpLinkJson {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

export async function listLinks(): Promise<HostLink[]> {
  const res = await execOk('ip', ['-d', '-j', 'link', 'show']);
  const links = JSON.parse(res.stdout || '[]') as IpLinkJson[];
  return links.map((l) => ({ ifname: l.ifname, kind: l.linkinfo?.info_kind, master: l.master }));
}

export async function linkExists(name: string): Promise<boolean> {
  const res = await exec('ip', ['-j', 'link', 'show', 'dev', name]);
  return res.code === 0;
}

/** Delete a host link we own; a link already gone is fine. */
export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  const res = await exec('ip', ['link', 'delete', 'dev', name]);
  if (res.code !== 0 && (await linkExists(name))) {
    throw new CgdashError('internal', `ip link delete ${name} failed: ${res.stderr.trim()}`);
  }
}

export interface HostRoute {
  dst: Ipv4Cidr;
  dev?: string;
  /** As `ip route` writes it, for messages. */
  text: string;
}

interface IpRouteJson {
  dst: string;
  dev?: string;
  type?: string;
  table?: string;
}

/**
 * Every IPv4 route of every table except default routes (which overlap everything and say
 * nothing about where a subnet is in use).
 */
export async function listRoutes(): Promise<HostRoute[]> {
  const res = await execOk('ip', ['-4', '-j', 'route', 'show', 'table', 'all']);
  const routes = JSON.parse(res.stdout || '[]') as IpRouteJson[];
  const out: HostRoute[] = [];
  for (const r of routes) {
    if (r.dst === 'default' || r.type === 'multicast') continue;
    const dst = parseCidrLoose(r.dst);
    if (!dst || dst.prefix === 0) continue;
    out.push({ dst, dev: r.dev, text: `${r.type && r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` });
  }
  return out;
}
