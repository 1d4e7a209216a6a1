import type { CgroupNode } from '@/server/cgroup/model';

export interface TreeNode {
  node: CgroupNode;
  name: string;
  children: TreeNode[];
}

/** Nest the flat, path-sorted list the server gives. Orphans (a parent vanished) attach to the root. */
export function buildTree(nodes: readonly CgroupNode[]): TreeNode | null {
  const byPath = new Map<string, TreeNode>();
  const sorted = [...nodes].sort((a, b) => a.path.localeCompare(b.path));
  let root: TreeNode | null = null;
  for (const node of sorted) {
    const name = node.path === '/' ? '/' : node.path.slice(node.path.lastIndexOf('/') + 1);
    const t: TreeNode = { node, name, children: [] };
    byPath.set(node.path, t);
    if (node.path === '/') {
      root = t;
      continue;
    }
    const parentPath = node.path.slice(0, node.path.lastIndexOf('/')) || '/';
    (byPath.get(parentPath) ?? root)?.children.push(t);
  }
  return root;
}

/** Paths to show for a search: every match and its ancestors. null = no filter. */
export function visibleForSearch(nodes: readonly CgroupNode[], query: string): Set<string> | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const visible = new Set<string>();
  for (const n of nodes) {
    if (!n.path.toLowerCase().includes(q)) continue;
    let p = n.path;
    visible.add(p);
    while (p !== '/') {
      p = p.slice(0, p.lastIndexOf('/')) || '/';
      visible.add(p);
    }
  }
  return visible;
}
