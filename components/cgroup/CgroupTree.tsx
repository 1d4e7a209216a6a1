'use client';
import clsx from 'clsx';
import { memo, useCallback, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CgroupNode } from '@/server/cgroup/model';
import { buildTree, visibleForSearch, type TreeNode } from './tree';

interface Row {
  t: TreeNode;
  depth: number;
  expanded: boolean;
}

function flatten(root: TreeNode, expanded: Set<string>, visible: Set<string> | null): Row[] {
  const rows: Row[] = [];
  const walk = (t: TreeNode, depth: number) => {
    if (visible && !visible.has(t.node.path)) return;
    const open = visible ? true : expanded.has(t.node.path);
    rows.push({ t, depth, expanded: open });
    if (open) for (const c of t.children) walk(c, depth + 1);
  };
  walk(root, 0);
  return rows;
}

function ancestorsOf(path: string): string[] {
  const out = ['/'];
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

/**
 * The host's cgroup tree: arrow keys move and open/close, Enter selects, the search keeps
 * matches and their ancestors. Managed cgroups (cgdash's own) are marked.
 */
export const CgroupTree = memo(function CgroupTree({ nodes, selected, onSelect, query }: {
  nodes: CgroupNode[];
  selected: string | null;
  onSelect: (path: string) => void;
  query: string;
}) {
  const root = useMemo(() => buildTree(nodes), [nodes]);
  const visible = useMemo(() => visibleForSearch(nodes, query), [nodes, query]);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(['/', ...(selected ? ancestorsOf(selected) : [])]));
  const rows = useMemo(() => (root ? flatten(root, expanded, visible) : []), [root, expanded, visible]);
  const listRef = useRef<HTMLUListElement>(null);

  const toggle = useCallback((path: string, open?: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(path)) next.add(path);
      else next.delete(path);
      return next;
    });
  }, []);

  const focusRow = (index: number) => {
    const el = listRef.current?.querySelectorAll<HTMLButtonElement>('[data-row]')[index];
    el?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, index: number, row: Row) => {
    const path = row.t.node.path;
    if (e.key === 'ArrowDown') focusRow(Math.min(index + 1, rows.length - 1));
    else if (e.key === 'ArrowUp') focusRow(Math.max(index - 1, 0));
    else if (e.key === 'ArrowRight' && row.t.children.length) toggle(path, true);
    else if (e.key === 'ArrowLeft') {
      if (row.expanded && row.t.children.length) toggle(path, false);
      else focusRow(Math.max(rows.findIndex((r) => r.depth === row.depth - 1 && path.startsWith(r.t.node.path)), 0));
    } else return;
    e.preventDefault();
  };

  if (!rows.length) return <p className="px-2 py-6 text-center text-sm text-zinc-500">No cgroup matches “{query}”.</p>;

  return (
    <ul ref={listRef} role="tree" aria-label="cgroups" className="text-sm">
      {rows.map((row, i) => {
        const { node } = row.t;
        // A managed cgroup is selected by its managed name, which merges every hierarchy it is in
        // (on a hybrid host the same cgroup may sit under different absolute paths).
        const ref = node.managedPath || node.path;
        const isSelected = ref === selected || node.path === selected;
        return (
          <li key={node.path} role="treeitem" aria-selected={isSelected} aria-expanded={row.t.children.length ? row.expanded : undefined}>
            <div className={clsx('group flex items-center rounded', isSelected ? 'bg-accent-600/20' : 'hover:bg-zinc-800/60')} style={{ paddingLeft: row.depth * 14 }}>
              <button
                type="button"
                tabIndex={-1}
                aria-label={row.expanded ? 'collapse' : 'expand'}
                onClick={() => toggle(node.path)}
                className={clsx('grid size-5 shrink-0 place-items-center text-zinc-500', !row.t.children.length && 'invisible')}
              >
                <span className={clsx('inline-block transition-transform', row.expanded && 'rotate-90')}>›</span>
              </button>
              <button
                type="button"
                data-row
                data-path={node.path}
                onClick={() => onSelect(ref)}
                onKeyDown={(e) => onKeyDown(e, i, row)}
                className={clsx('flex min-w-0 flex-1 items-center gap-2 py-1 pr-2 text-left', isSelected ? 'text-accent-200' : 'text-zinc-300')}
              >
                <span className="truncate font-mono text-[13px]">{row.t.name}</span>
                {node.managedPath !== null && (
                  <span className="rounded bg-accent-600/20 px-1 text-[10px] font-medium text-accent-300" title="made and managed by cgdash">
                    cgdash
                  </span>
                )}
                <span className="tabular ml-auto shrink-0 text-xs text-zinc-500" title="processes in this cgroup">
                  {node.processCount > 0 ? node.processCount : ''}
                </span>
              </button>
            </div>
          </li>
        );
      })}
    </ul>
  );
});
