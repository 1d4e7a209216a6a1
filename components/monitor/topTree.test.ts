import { describe, expect, it } from 'vitest';
import type { TopRow } from '@/server/monitor/wire';
import { childShares, depthOf, parentOf, parentsIn, visibleRows } from './topTree';

const row = (path: string, cpuCores: number, extra: Partial<TopRow> = {}): TopRow => ({
  ref: path, path, name: null, kind: null, tenant: null, cpuCores, memoryBytes: 0, ioReadBytesPerSec: 0, ioWriteBytesPerSec: 0,
  pids: 0, cpuThrottledPct: 0, psiCpuSomePct: null, psiMemorySomePct: null, psiIoSomePct: null, memoryMaxBytes: null, cpuQuotaCores: null, ...extra,
});

const rows = [row('/', 1.5), row('/system.slice', 0.2), row('/system.slice/ssh.service', 0.1), row('/cgdash', 1.2), row('/cgdash/web', 1.0, { name: 'web' }), row('/cgdash/db', 0.2)];

describe('top tree', () => {
  it('knows depths and parents', () => {
    expect(depthOf('/')).toBe(0);
    expect(depthOf('/a/b')).toBe(2);
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/a/b')).toBe('/a');
    expect(parentOf('/')).toBeNull();
    expect([...parentsIn(rows)].sort()).toEqual(['/', '/cgdash', '/system.slice']);
  });

  it('shows rows up to a depth, without collapsed subtrees, filtered, sorted by a column', () => {
    const base = { query: '', maxDepth: 9, collapsed: new Set<string>(), sort: { key: 'cpuCores' as const, dir: 'desc' as const } };
    expect(visibleRows(rows, base).map((r) => r.path)).toEqual(['/', '/cgdash', '/cgdash/web', '/cgdash/db', '/system.slice', '/system.slice/ssh.service']);
    expect(visibleRows(rows, { ...base, maxDepth: 1 }).map((r) => r.path)).toEqual(['/', '/cgdash', '/system.slice']);
    expect(visibleRows(rows, { ...base, collapsed: new Set(['/cgdash']) }).map((r) => r.path)).toEqual(['/', '/cgdash', '/system.slice', '/system.slice/ssh.service']);
    expect(visibleRows(rows, { ...base, query: 'WEB' }).map((r) => r.path)).toEqual(['/cgdash/web']);
    expect(visibleRows(rows, { ...base, sort: { key: 'path', dir: 'asc' } }).map((r) => r.path)[1]).toBe('/cgdash');
  });

  it('splits a parent CPU among its children, the small ones as "others"', () => {
    expect(childShares(rows, '/cgdash', 5)).toEqual([
      { key: '/cgdash/web', label: 'web', cpuPct: 100 },
      { key: '/cgdash/db', label: 'db', cpuPct: 20 },
      { key: '__self', label: '/cgdash itself', cpuPct: 0 },
    ]);
    const shares = childShares(rows, '/', 1);
    expect(shares[0]).toMatchObject({ key: '/cgdash' });
    expect(shares[1]).toMatchObject({ key: '__other', label: '1 others' });
    expect(shares[1]!.cpuPct).toBeCloseTo(20);
    expect(shares[2]).toMatchObject({ key: '__self' });
    expect(shares[2]!.cpuPct).toBeCloseTo(10); // 150 % on / minus 140 % in its children
  });
});
