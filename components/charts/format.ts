import { formatBytes } from '@/server/lib/units';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const clockSec = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** An axis tick for a chart spanning `windowMs`. */
export function timeTick(windowMs: number): (t: number) => string {
  if (windowMs <= 5 * 60_000) return (t) => clockSec.format(t);
  if (windowMs <= 86_400_000) return (t) => clock.format(t);
  return (t) => dayClock.format(t);
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(v >= 100 ? 0 : digits)} %`;
}

export function formatRate(bytesPerSec: number | null | undefined): string {
  if (bytesPerSec === null || bytesPerSec === undefined || !Number.isFinite(bytesPerSec)) return '—';
  return `${formatBytes(Math.round(bytesPerSec))}/s`;
}

export function formatBytesNum(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  return formatBytes(Math.round(bytes));
}

export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
}

/** Short axis labels: 1.5G, 300M, 12K. */
export function compactBytes(v: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let n = v;
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)}${units[i]}`;
}
