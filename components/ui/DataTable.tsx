'use client';
import clsx from 'clsx';
import { useMemo, useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Sorting is offered for columns that give a value. */
  sortValue?: (row: T) => number | string | null;
  align?: 'left' | 'right';
  className?: string;
}

/**
 * A sortable table. Rows are keyed, so live updates change cells in place; a click on a row
 * (or Enter on it) calls onRowClick. Long lists are capped with a note rather than paged.
 */
export function DataTable<T>({ rows, columns, rowKey, onRowClick, selectedKey, initialSort, limit = 1000, label }: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string | number;
  onRowClick?: (row: T) => void;
  selectedKey?: string | number | null;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  limit?: number;
  label: string;
}) {
  const [sort, setSort] = useState(initialSort ?? null);
  const sorted = useMemo(() => {
    const col = sort && columns.find((c) => c.key === sort.key);
    if (!col?.sortValue) return rows;
    const dir = sort?.dir === 'asc' ? 1 : -1;
    const value = col.sortValue;
    return [...rows].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === vb) return 0;
      if (va === null) return 1;
      if (vb === null) return -1;
      return (va < vb ? -1 : 1) * dir;
    });
  }, [rows, columns, sort]);
  const shown = sorted.slice(0, limit);

  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-800">
      <table className="w-full text-sm" aria-label={label}>
        <thead className="sticky top-0 bg-zinc-900 text-left text-xs text-zinc-500">
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              return (
                <th key={c.key} scope="col" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined} className={clsx('whitespace-nowrap px-3 py-2 font-medium', c.align === 'right' && 'text-right')}>
                  {c.sortValue ? (
                    <button
                      type="button"
                      className={clsx('inline-flex items-center gap-1 hover:text-zinc-200', active && 'text-zinc-200')}
                      onClick={() => setSort((s) => ({ key: c.key, dir: s?.key === c.key && s.dir === 'desc' ? 'asc' : 'desc' }))}
                    >
                      {c.header}
                      <span aria-hidden className="text-[10px]">{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-800/70">
          {shown.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                tabIndex={onRowClick ? 0 : undefined}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                onKeyDown={onRowClick ? (e) => e.key === 'Enter' && onRowClick(row) : undefined}
                aria-selected={selectedKey === key || undefined}
                className={clsx(onRowClick && 'cursor-pointer', selectedKey === key ? 'bg-accent-600/15' : 'hover:bg-zinc-800/40')}
              >
                {columns.map((c) => (
                  <td key={c.key} className={clsx('px-3 py-1.5 align-top', c.align === 'right' && 'tabular text-right', c.className)}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {sorted.length > limit && <p className="border-t border-zinc-800 px-3 py-2 text-xs text-zinc-500">Showing {limit} of {sorted.length}; narrow the filter to see the rest.</p>}
    </div>
  );
}
