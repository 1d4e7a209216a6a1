import { formatBytes } from '@/server/lib/units';

export { formatBytes };

const binarySuffixes: [bigint, string][] = [
  [1024n ** 4n, 'T'],
  [1024n ** 3n, 'G'],
  [1024n ** 2n, 'M'],
  [1024n, 'K'],
];

/** A size as the user would type it back: 268435456 → "256M"; odd sizes stay in bytes. */
export function sizeForInput(bytes: bigint | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  for (const [unit, suffix] of binarySuffixes) if (bytes >= unit && bytes % unit === 0n) return `${bytes / unit}${suffix}`;
  return String(bytes);
}

export function formatLimitBytes(bytes: bigint | null | undefined): string {
  return bytes === null || bytes === undefined ? 'no limit' : formatBytes(bytes);
}

export function formatCpus(quotaUs: number | null | undefined, periodUs: number | null | undefined): string {
  if (quotaUs === null || quotaUs === undefined || !periodUs) return 'no limit';
  const cpus = quotaUs / periodUs;
  return `${Number(cpus.toFixed(2))} CPU${cpus === 1 ? '' : 's'} (${quotaUs} / ${periodUs} µs)`;
}

export function formatUsec(usec: bigint | null | undefined): string {
  if (usec === null || usec === undefined) return '—';
  const s = Number(usec) / 1e6;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(2)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function formatCount(n: bigint | number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-US');
}
