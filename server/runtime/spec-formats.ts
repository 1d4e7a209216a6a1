/**
 * The short string forms docker users type (`-v /a:/b:ro`, `-p 8080:80/udp`, `--restart on-failure:3`),
 * each parsed into the structured value the spec stores. Pure functions: no file system access.
 * Every failure is a CgdashError('invalid') naming the field.
 */
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { parseSize } from '@/server/lib/units';

export interface VolumeMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface TmpfsMount {
  containerPath: string;
  sizeBytes?: number;
  /** Octal permission bits, e.g. 0o1777. */
  mode?: number;
}

export interface PortMapping {
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface DeviceRate {
  /** "MAJ:MIN" or a /dev path (resolved to MAJ:MIN when the container is created). */
  device: string;
  rate: number;
}

export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always';
  /** on-failure only: give up after this many restarts; undefined = no cap. */
  maxRetries?: number;
}

function invalid(field: string, message: string): CgdashError {
  return new CgdashError('invalid', `${field}: ${message}`, { field });
}

/**
 * A container-side path: absolute, already normal (no `.`/`..` segments, no doubled slashes),
 * and not `/` itself nor inside /proc or /sys, where a bind mount could hide or replace the
 * kernel's own files.
 */
export function checkContainerPath(p: string, field: string): string {
  if (!p.startsWith('/')) throw invalid(field, `"${p}" must be an absolute path inside the container`);
  if (p.includes('\0')) throw invalid(field, 'contains a NUL byte');
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) throw invalid(field, `"${p}" must not contain "." or ".." segments`);
  const normal = path.posix.normalize(p).replace(/(.)\/$/, '$1');
  if (normal === '/') throw invalid(field, 'cannot mount over the container\'s root');
  if (/^\/(proc|sys)(\/|$)/.test(normal)) throw invalid(field, `"${normal}" is inside /proc or /sys, which the runtime owns`);
  return normal;
}

/** A host-side path: absolute and without `..` (it is realpath-resolved later, at create). */
export function checkHostPath(p: string, field: string): string {
  if (!p.startsWith('/')) throw invalid(field, `"${p}" must be an absolute host path`);
  if (p.includes('\0')) throw invalid(field, 'contains a NUL byte');
  if (p.split('/').includes('..')) throw invalid(field, `"${p}" must not contain ".." segments`);
  return path.posix.normalize(p).replace(/(.)\/$/, '$1');
}

/** `/host:/ctr[:ro|rw]` */
export function parseVolume(text: string, field = 'volumes'): VolumeMount {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalid(field, `"${text}" is not /host/path:/container/path[:ro]`);
  const [hostPath = '', containerPath = '', mode = 'rw'] = parts;
  if (mode !== 'ro' && mode !== 'rw') throw invalid(field, `mode "${mode}" must be ro or rw`);
  return {
    hostPath: checkHostPath(hostPath, field),
    containerPath: checkContainerPath(containerPath, field),
    readOnly: mode === 'ro',
  };
}

/** `/ctr[:size=64m,mode=1777]` (docker's --tmpfs) */
export function parseTmpfs(text: string, field = 'tmpfs'): TmpfsMount {
  const colon = text.indexOf(':');
  const target = colon < 0 ? text : text.slice(0, colon);
  const mount: TmpfsMount = { containerPath: checkContainerPath(target, field) };
  if (colon >= 0) {
    for (const opt of text.slice(colon + 1).split(',').filter(Boolean)) {
      const [key, value = ''] = opt.split('=', 2);
      if (key === 'size') {
        const size = parseSize(value, `${field}.size`);
        if (size === null) throw invalid(field, 'size must be a number of bytes, not unlimited');
        mount.sizeBytes = Number(size);
      } else if (key === 'mode') {
        if (!/^[0-7]{3,4}$/.test(value)) throw invalid(field, `mode "${value}" must be octal like 1777`);
        mount.mode = parseInt(value, 8);
      } else if (key !== 'rw') {
        throw invalid(field, `option "${opt}" is not supported (size=, mode=)`);
      }
    }
  }
  return mount;
}

function parsePort(text: string, field: string): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid(field, `"${text}" is not a port number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw invalid(field, `port ${n} is outside 1..65535`);
  return n;
}

/** `[hostIp:]hostPort:containerPort[/tcp|udp]`; IPv6 host addresses in brackets: `[::1]:8080:80`. */
export function parsePortMapping(text: string, field = 'ports'): PortMapping {
  let rest = text;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1);
    if (proto !== 'tcp' && proto !== 'udp') throw invalid(field, `protocol "${proto}" must be tcp or udp`);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2] ?? '';
  }
  const parts = rest.split(':');
  if (!hostIp && parts.length === 3) {
    hostIp = parts.shift();
    if (!hostIp || !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp)) throw invalid(field, `host address "${hostIp}" is not an IPv4 address`);
  }
  if (parts.length !== 2) throw invalid(field, `"${text}" is not [hostIp:]hostPort:containerPort[/udp]`);
  const mapping: PortMapping = {
    hostPort: parsePort(parts[0] ?? '', field),
    containerPort: parsePort(parts[1] ?? '', field),
    protocol,
  };
  if (hostIp) mapping.hostIp = hostIp;
  return mapping;
}

/** `DEVICE:RATE` where DEVICE is `MAJ:MIN` or `/dev/path`; RATE a size (bps) or a count (iops). */
export function parseDeviceRate(text: string, kind: 'bps' | 'iops', field: string): DeviceRate {
  const last = text.lastIndexOf(':');
  if (last < 0) throw invalid(field, `"${text}" is not DEVICE:RATE (e.g. /dev/sda:1mb or 8:0:100)`);
  const device = text.slice(0, last);
  const rateText = text.slice(last + 1);
  checkDevice(device, field);
  let rate: number;
  if (kind === 'bps') {
    const bytes = parseSize(rateText, field);
    if (bytes === null || bytes <= 0n) throw invalid(field, `rate "${rateText}" must be a positive size`);
    rate = Number(bytes);
  } else {
    if (!/^\d+$/.test(rateText) || Number(rateText) <= 0) throw invalid(field, `rate "${rateText}" must be a positive number of I/Os per second`);
    rate = Number(rateText);
  }
  return { device, rate };
}

export function checkDevice(device: string, field: string): string {
  if (/^\d+:\d+$/.test(device)) return device;
  if (device.startsWith('/dev/') && !device.split('/').includes('..')) return device;
  throw invalid(field, `device "${device}" must be MAJ:MIN or a /dev path`);
}

/** `[map=]containerId:hostId:size` */
export function parseIdMapping(text: string, field = 'usernsMapping'): IdMapping {
  const m = /^(?:map=)?(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) throw invalid(field, `"${text}" is not map=containerId:hostId:size (e.g. map=0:100000:65536)`);
  const mapping = { containerId: Number(m[1]), hostId: Number(m[2]), size: Number(m[3]) };
  if (mapping.size < 1) throw invalid(field, 'size must be at least 1');
  if (mapping.hostId + mapping.size > 2 ** 32 - 1 || mapping.containerId + mapping.size > 2 ** 32 - 1) {
    throw invalid(field, 'the range goes past the largest uid (2^32-2)');
  }
  return mapping;
}

/** `no`, `always`, `on-failure[:N]`; docker's `unless-stopped` is `always` for us (a stop is remembered). */
export function parseRestartPolicy(text: string, field = 'restartPolicy'): RestartPolicy {
  if (text === 'no' || text === 'always') return { name: text };
  if (text === 'unless-stopped') return { name: 'always' };
  const m = /^on-failure(?::(\d+))?$/.exec(text);
  if (!m) throw invalid(field, `"${text}" must be no, always or on-failure[:N]`);
  return m[1] === undefined ? { name: 'on-failure' } : { name: 'on-failure', maxRetries: Number(m[1]) };
}

/** tc's rate words, in bytes per second: `bit` units are bits (/8), `bps` units are bytes. */
const rateUnits: Record<string, number> = {
  bit: 1 / 8, kbit: 1e3 / 8, mbit: 1e6 / 8, gbit: 1e9 / 8, tbit: 1e12 / 8,
  bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9,
};

/**
 * A network rate in **bytes per second** (what the network module's attach takes).
 * Accepts tc's words (`10mbit` = 1 250 000 B/s, `2mbps` = 2 000 000 B/s), docker sizes
 * (`10m` = 10 MiB/s) and a bare number of bytes per second.
 */
export function parseRate(text: string, field: string): number {
  const t = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  const tcUnit = m?.[2] ? rateUnits[m[2]] : undefined;
  let bytes: number;
  if (m && tcUnit !== undefined) bytes = Math.round(Number(m[1]) * tcUnit);
  else {
    let size: bigint | null = null;
    try {
      size = parseSize(t, field);
    } catch {
      throw invalid(field, `"${text}" is not a rate (examples: 10mbit, 1gbit, 2mbps, 10m = MiB/s)`);
    }
    if (size === null) throw invalid(field, 'a rate cannot be unlimited; leave it out instead');
    bytes = Number(size);
  }
  if (bytes <= 0) throw invalid(field, 'rate must be positive');
  return bytes;
}
