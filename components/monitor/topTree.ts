/** Pure helpers of the Top view: depth, collapsing, filtering and sorting of cgroup rows. */
import type { TopRow } from '@/server/monitor/wire';

export function depthOf(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

export function parentOf(path: string): string | null {
  if (path === '/') return null;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function isUnder(path: string, ancestor: string): boolean {
  return ancestor === '/' ? path !== '/' : path.startsWith(`${ancestor}/`);
}

export type SortKey = 'path' | 'cpuCores' | 'memoryBytes' | 'ioReadBytesPerSec' | 'ioWriteBytesPerSec' | 'pids' | 'cpuThrottledPct' | 'psi';

function sortValue(r: TopRow, key: SortKey): number | string | null {
  if (key === 'path') return r.path;
  if (key === 'psi') return Math.max(r.psiCpuSomePct ?? -1, r.psiMemorySomePct ?? -1, r.psiIoSomePct ?? -1);
  return r[key];
}

export interface ViewOptions {
  query: string;
  maxDepth: number;
  collapsed: ReadonlySet<string>;
  sort: { key: SortKey; dir: 'asc' | 'desc' };
}

/** Rows as systemd-cgtop shows them: up to a depth, minus collapsed subtrees, matching the filter, sorted. */
export function visibleRows(rows: readonly TopRow[], o: ViewOptions): TopRow[] {
  const q = o.query.trim().toLowerCase();
  const collapsed = [...o.collapsed];
  const out = rows.filter(
    (r) =>
      depthOf(r.path) <= o.maxDepth &&
      !collapsed.some((c) => isUnder(r.path, c)) &&
      (!q || r.path.toLowerCase().includes(q) || r.ref.toLowerCase().includes(q) || (r.name ?? '').toLowerCase().includes(q)),
  );
  const dir = o.sort.dir === 'asc' ? 1 : -1;
  return out.sort((a, b) => {
    const va = sortValue(a, o.sort.key);
    const vb = sortValue(b, o.sort.key);
    if (va === vb) return a.path < b.path ? -1 : 1;
    if (va === null) return 1;
    if (vb === null) return -1;
    return (va < vb ? -1 : 1) * dir;
  });
}

/** Paths that have children among the rows (can be collapsed). */
export function parentsIn(rows: readonly TopRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) {
    const p = parentOf(r.path);
    if (p !== null) out.add(p);
  }
  return out;
}

/**
 * The CPU of `parent`'s children, the top `n` and the rest summed as "others" (in %), and what
 * the parent uses itself (its own processes: its usage counts its children's too).
 */
export function childShares(rows: readonly TopRow[], parent: string, n: number): { key: string; label: string; cpuPct: number }[] {
  const children = rows.filter((r) => parentOf(r.path) === parent).map((r) => ({ key: r.path, label: r.name ?? r.path.slice(parent === '/' ? 1 : parent.length + 1), cpuPct: (r.cpuCores ?? 0) * 100 }));
  children.sort((a, b) => b.cpuPct - a.cpuPct);
  const top = children.slice(0, n);
  const rest = children.slice(n).reduce((s, c) => s + c.cpuPct, 0);
  if (children.length > n) top.push({ key: '__other', label: `${children.length - n} others`, cpuPct: rest });
  const own = rows.find((r) => r.path === parent)?.cpuCores;
  if (children.length > 0 && own !== null && own !== undefined) {
    const itself = Math.max(0, own * 100 - children.reduce((s, c) => s + c.cpuPct, 0));
    top.push({ key: '__self', label: `${parent} itself`, cpuPct: itself });
  }
  return top;
}
