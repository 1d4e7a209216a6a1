import { CgdashError } from './errors';

const sizeUnits: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1024n,
  kb: 1024n,
  kib: 1024n,
  m: 1024n ** 2n,
  mb: 1024n ** 2n,
  mib: 1024n ** 2n,
  g: 1024n ** 3n,
  gb: 1024n ** 3n,
  gib: 1024n ** 3n,
  t: 1024n ** 4n,
  tb: 1024n ** 4n,
  tib: 1024n ** 4n,
};

/**
 * Parse a size as docker and systemd write it: `256M`, `1g`, `512k`, `1048576`. Units are binary
 * (1K = 1024) as in docker. `max`, `none`, `-1` and `unlimited` mean no limit (`null`).
 */
export function parseSize(text: string, field = 'size'): bigint | null {
  const t = text.trim().toLowerCase();
  if (t === 'max' || t === 'none' || t === '-1' || t === 'unlimited') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  const unit = m ? sizeUnits[m[2] ?? ''] : undefined;
  if (!m || unit === undefined) {
    throw new CgdashError('invalid', `${field}: "${text}" is not a size (examples: 512k, 256M, 2G, max)`, { field });
  }
  const [whole, frac = ''] = (m[1] ?? '0').split('.');
  const scale = 10n ** BigInt(frac.length);
  return (BigInt(whole ?? '0') * scale + BigInt(frac || '0')) * unit / scale;
}

/** Human-readable binary size: 268435456n -> "256 MiB". */
export function formatBytes(bytes: bigint | number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  let n = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  const digits = i === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 2;
  return `${n.toFixed(digits)} ${units[i]}`;
}
