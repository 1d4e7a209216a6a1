import { CgdashError } from '@/server/lib/errors';
import { isIpv4 } from './ipv4';
import type { PortMapping } from './types';

const ALL_ADDRESSES = '0.0.0.0';

function parsePortNumber(text: string, what: string, spec: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text)) {
    throw new CgdashError('invalid', `port "${spec}": ${what} "${text}" is not a port number`, { field: 'ports', value: spec });
  }
  const n = Number(text);
  if (n > 65535 || (n === 0 && !allowZero)) {
    throw new CgdashError('invalid', `port "${spec}": ${what} ${n} is out of range (1-65535)`, { field: 'ports', value: spec });
  }
  return n;
}

/**
 * Parse a docker-style publish spec: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`,
 * each with an optional `/tcp` or `/udp`. A missing host port is 0: attach() picks a free one.
 * Ranges (`8000-8010:8000-8010`) and IPv6 host addresses are not supported.
 */
export function parsePortSpec(spec: string): PortMapping {
  const text = spec.trim();
  const fail = (why: string): never => {
    throw new CgdashError('invalid', `port "${spec}": ${why}`, { field: 'ports', value: spec });
  };
  if (text === '') fail('empty; expected [hostIp:]hostPort:containerPort[/udp]');
  if (text.includes('[')) fail('IPv6 host addresses are not supported');
  const slash = text.lastIndexOf('/');
  let protocol: PortMapping['protocol'] = 'tcp';
  let body = text;
  if (slash !== -1) {
    const proto = text.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') fail(`protocol "${text.slice(slash + 1)}" is not tcp or udp`);
    protocol = proto as PortMapping['protocol'];
    body = text.slice(0, slash);
  }
  if (/\d-\d/.test(body)) fail('port ranges are not supported; publish each port on its own');
  const parts = body.split(':');
  if (parts.length > 3) fail('too many ":"; expected [hostIp:]hostPort:containerPort[/udp]');
  const containerPort = parsePortNumber(parts[parts.length - 1] ?? '', 'container port', spec, false);
  let hostPort = 0;
  let hostIp: string | undefined;
  if (parts.length >= 2) {
    const hostPortText = parts[parts.length - 2] ?? '';
    hostPort = hostPortText === '' ? 0 : parsePortNumber(hostPortText, 'host port', spec, true);
  }
  if (parts.length === 3) {
    const ip = parts[0] ?? '';
    if (!isIpv4(ip)) fail(`host address "${ip}" is not an IPv4 address`);
    if (ip !== ALL_ADDRESSES) hostIp = ip;
  }
  return hostIp === undefined ? { hostPort, containerPort, protocol } : { hostIp, hostPort, containerPort, protocol };
}

/** `127.0.0.1:8080->80/udp`, `0.0.0.0:8080->80/tcp` (as `docker ps` shows ports). */
export function formatPortMapping(m: PortMapping): string {
  return `${m.hostIp ?? ALL_ADDRESSES}:${m.hostPort}->${m.containerPort}/${m.protocol}`;
}

/** Check a mapping handed over by code (not parsed from text) and drop a redundant `0.0.0.0`. */
export function normalizePortMapping(m: PortMapping): PortMapping {
  const label = `${m.hostIp ? `${m.hostIp}:` : ''}${m.hostPort}:${m.containerPort}/${m.protocol}`;
  const bad = (why: string): never => {
    throw new CgdashError('invalid', `port ${label}: ${why}`, { field: 'ports', value: label });
  };
  if (m.protocol !== 'tcp' && m.protocol !== 'udp') bad(`protocol "${String(m.protocol)}" is not tcp or udp`);
  if (!Number.isInteger(m.hostPort) || m.hostPort < 0 || m.hostPort > 65535) bad('host port is out of range (0-65535)');
  if (!Number.isInteger(m.containerPort) || m.containerPort < 1 || m.containerPort > 65535) {
    bad('container port is out of range (1-65535)');
  }
  const hostIp = m.hostIp?.trim();
  if (hostIp && !isIpv4(hostIp)) bad(`host address "${hostIp}" is not an IPv4 address`);
  const base = { hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol };
  return hostIp && hostIp !== ALL_ADDRESSES ? { hostIp, ...base } : base;
}

/**
 * Two published ports clash when they take the same protocol and host port on addresses that
 * meet: the same address, or either of them on every address.
 */
export function portsClash(a: PortMapping, b: PortMapping): boolean {
  if (a.protocol !== b.protocol || a.hostPort !== b.hostPort || a.hostPort === 0) return false;
  return a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp;
}

/** Reject a request that publishes the same host port twice. */
export function assertNoClashWithin(ports: readonly PortMapping[]): void {
  ports.forEach((p, i) => {
    const other = ports.slice(0, i).find((q) => portsClash(p, q));
    if (other) {
      throw new CgdashError(
        'conflict',
        `port ${formatPortMapping(p)} clashes with ${formatPortMapping(other)} in the same request`,
        { field: 'ports', value: formatPortMapping(p) },
      );
    }
  });
}
