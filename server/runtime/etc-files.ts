/**
 * /etc/hosts, /etc/resolv.conf and /etc/hostname of a container: files in the bundle that
 * config.json bind-mounts. They are rewritten in place (same inode) so a bind mount made by
 * runc create still shows the new content, e.g. the addresses the network attach returned.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface HostsEntry {
  ip: string;
  name: string;
}

export function hostsFile(hostname: string, entries: readonly HostsEntry[], ownIps: readonly string[]): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const ip of ownIps) lines.push(`${ip}\t${hostname}`);
  if (!ownIps.length) lines.push(`127.0.1.1\t${hostname}`);
  for (const e of entries) if (!ownIps.includes(e.ip)) lines.push(`${e.ip}\t${e.name}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The host's resolver config; a loopback nameserver (systemd-resolved's 127.0.0.53) is useless
 * in a private network namespace, so it is dropped there as docker does.
 */
export async function resolvConf(privateNetwork: boolean, hostFile = '/etc/resolv.conf'): Promise<string> {
  let text = '';
  try {
    text = await readFile(hostFile, 'utf8');
  } catch {
    text = '';
  }
  if (!privateNetwork) return text;
  const kept = text.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  return `${kept.join('\n').trim()}\n`;
}

export async function writeInPlace(file: string, content: string): Promise<void> {
  await writeFile(file, content, { mode: 0o644 });
}
