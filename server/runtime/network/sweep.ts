/**
 * The safety net after a DEL: remove what the plugins should have removed but do not always.
 * containernetworking-plugins 1.1.1's bridge DEL finds the container's addresses inside the
 * netns, so when the netns is already gone it leaves its ipMasq chain behind; without a stored
 * ADD result the firewall plugin cannot know which rules were its own, and portmap's DEL does
 * nothing without the port list. Everything here is named from (network, container id) or from
 * addresses this attachment held, so nothing of another container is touched.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoOf } from '@/server/lib/errors';
import { deleteLink, listLinks } from './host-net';
import { deleteRule, findRules, listTable, removeChain } from './iptables';
import { cniDerivedNames } from './names';

export interface Lease {
  address: string;
  containerId: string;
  ifName: string;
  file: string;
}

/**
 * host-local's leases of one network: a file per address, holding `<container id>\r\n<ifname>`
 * (`lock` and `last_reserved_ip.<range>` are its bookkeeping).
 */
export async function readLeases(ipamDir: string, network: string): Promise<Lease[]> {
  const dir = path.join(ipamDir, network);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
  const leases: Lease[] = [];
  for (const name of names) {
    if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
    const file = path.join(dir, name);
    const [containerId = '', ifName = ''] = (await readFile(file, 'utf8').catch(() => '')).split(/\r?\n/);
    leases.push({ address: name, containerId: containerId.trim(), ifName: ifName.trim(), file });
  }
  return leases;
}

/** The rules the firewall plugin (iptables backend) adds to CNI-FORWARD for one container address. */
export function firewallRulesFor(address: string): string[][] {
  return [
    ['-d', `${address}/32`, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    ['-s', `${address}/32`, '-j', 'ACCEPT'],
  ];
}

export interface SweepTarget {
  network: string;
  containerId: string;
  ifName: string;
  /** Addresses this attachment held (from its ADD result or its lease). */
  addresses: string[];
  ipamDir: string;
}

/** Remove the attachment's leftovers; returns a line per thing removed. */
export async function sweepAttachment(t: SweepTarget): Promise<string[]> {
  const removed: string[] = [];
  const names = cniDerivedNames(t.network, t.containerId);
  for (const chain of [names.masqChain, names.dnatChain]) {
    if (await removeChain('nat', chain)) removed.push(`iptables nat chain ${chain}`);
  }
  const filter = await listTable('filter');
  for (const address of t.addresses) {
    for (const args of firewallRulesFor(address)) {
      for (const rule of findRules(filter, 'CNI-FORWARD', args)) {
        await deleteRule('filter', rule);
        removed.push(`iptables filter CNI-FORWARD ${args.join(' ')}`);
      }
    }
  }
  const ifb = (await listLinks()).find((l) => l.ifname === names.ifbDevice && l.kind === 'ifb');
  if (ifb) {
    await deleteLink(ifb.ifname);
    removed.push(`ifb ${ifb.ifname}`);
  }
  for (const lease of await readLeases(t.ipamDir, t.network)) {
    if (lease.containerId === t.containerId && lease.ifName === t.ifName) {
      await unlink(lease.file).catch((err: unknown) => {
        if (errnoOf(err) !== 'ENOENT') throw err;
      });
      removed.push(`lease ${lease.file}`);
    }
  }
  return removed;
}
