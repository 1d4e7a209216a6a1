import { CgdashError } from '@/server/lib/errors';

/** An IPv4 subnet in CIDR form, its network address as an unsigned 32-bit number. */
export interface Ipv4Cidr {
  network: number;
  prefix: number;
}

const quad = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `10.89.0.1` -> 0x0a590001, or null when the text is not a dotted quad (no leading zeros, no octal). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => quad.test(p))) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function sizeOf(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function lastAddress(cidr: Ipv4Cidr): number {
  return cidr.network + sizeOf(cidr) - 1;
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

/**
 * Parse `a.b.c.d/n` loosely: host bits may be set (routes and addresses are written that way).
 * Returns the containing network. A bare address is a /32.
 */
export function parseCidrLoose(text: string): Ipv4Cidr | null {
  const [addr = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return null;
  const ip = parseIpv4(addr);
  if (ip === null) return null;
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return null;
  return { network: (ip & maskOf(prefix)) >>> 0, prefix };
}

/** Subnets a bridge network may use: enough room for a gateway and a few containers. */
export const MIN_PREFIX = 8;
export const MAX_PREFIX = 29;

/** Ranges a container subnet must never take: "this network", loopback, link-local, multicast and reserved. */
const reserved: { cidr: Ipv4Cidr; why: string }[] = [
  { cidr: parseCidrLoose('0.0.0.0/8')!, why: '"this network" (0.0.0.0/8)' },
  { cidr: parseCidrLoose('127.0.0.0/8')!, why: 'loopback (127.0.0.0/8)' },
  { cidr: parseCidrLoose('169.254.0.0/16')!, why: 'link-local (169.254.0.0/16)' },
  { cidr: parseCidrLoose('224.0.0.0/3')!, why: 'multicast and reserved (224.0.0.0/3)' },
];

/**
 * Parse a subnet for a network, strictly: canonical network address (host bits zero), a prefix
 * between /8 and /29, outside reserved ranges. Errors name the field and suggest the fix.
 */
export function parseSubnet(text: string, field = 'subnet'): Ipv4Cidr {
  const t = text.trim();
  if (t.includes(':')) {
    throw new CgdashError('invalid', `${field}: "${text}" is IPv6; only IPv4 subnets are supported`, { field, value: text });
  }
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(t);
  const ip = m ? parseIpv4(m[1] ?? '') : null;
  if (!m || ip === null) {
    throw new CgdashError('invalid', `${field}: "${text}" is not an IPv4 subnet in CIDR form such as 10.89.1.0/24`, {
      field,
      value: text,
    });
  }
  const prefix = Number(m[2]);
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new CgdashError('invalid', `${field}: prefix /${prefix} is out of range: use /${MIN_PREFIX} to /${MAX_PREFIX}`, {
      field,
      value: text,
    });
  }
  const network = (ip & maskOf(prefix)) >>> 0;
  if (network !== ip) {
    throw new CgdashError(
      'invalid',
      `${field}: "${text}" has host bits set; did you mean ${formatIpv4(network)}/${prefix}?`,
      { field, value: text },
    );
  }
  const cidr = { network, prefix };
  for (const r of reserved) {
    if (overlaps(cidr, r.cidr)) {
      throw new CgdashError('invalid', `${field}: ${t} lies in ${r.why}`, { field, value: text });
    }
  }
  return cidr;
}

export function contains(cidr: Ipv4Cidr, ip: number): boolean {
  return ip >= cidr.network && ip <= lastAddress(cidr);
}

/** CIDR blocks either nest or are disjoint, so two overlap exactly when one holds the other's first address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return contains(a, b.network) || contains(b, a.network);
}

/**
 * The gateway of a subnet: the given one (checked to be a usable host address inside it) or the
 * first host address, as the bridge plugin and docker pick it.
 */
export function gatewayFor(cidr: Ipv4Cidr, given?: string, field = 'gateway'): number {
  if (given === undefined || given === '') return cidr.network + 1;
  const ip = parseIpv4(given.trim());
  if (ip === null) {
    throw new CgdashError('invalid', `${field}: "${given}" is not an IPv4 address`, { field, value: given });
  }
  if (!contains(cidr, ip) || ip === cidr.network || ip === lastAddress(cidr)) {
    throw new CgdashError(
      'invalid',
      `${field}: ${given} is not a host address of ${formatCidr(cidr)} (use ${formatIpv4(cidr.network + 1)} to ${formatIpv4(lastAddress(cidr) - 1)})`,
      { field, value: given },
    );
  }
  return ip;
}

/** Split `pool` into blocks of `prefix` bits, in address order. */
export function* subnetsOf(pool: Ipv4Cidr, prefix: number): Generator<Ipv4Cidr> {
  if (prefix < pool.prefix) return;
  const step = 2 ** (32 - prefix);
  for (let n = pool.network; n <= lastAddress(pool); n += step) yield { network: n, prefix };
}
