import { describe, expect, it } from 'vitest';
import type { CgroupNode } from '@/server/cgroup/model';
import { buildTree, visibleForSearch } from './tree';

const node = (path: string): CgroupNode => ({ path, managedPath: null, hierarchyIds: [1], controllers: ['cpu'], processCount: 0, childCount: 0 });

describe('buildTree', () => {
  it('nests paths under their parents', () => {
    const root = buildTree([node('/a/b'), node('/'), node('/a'), node('/c')])!;
    expect(root.children.map((c) => c.name)).toEqual(['a', 'c']);
    expect(root.children[0]!.children.map((c) => c.name)).toEqual(['b']);
  });
});

describe('visibleForSearch', () => {
  it('keeps matches and their ancestors', () => {
    const v = visibleForSearch([node('/'), node('/a'), node('/a/web'), node('/b')], 'WEB');
    expect([...v!].sort()).toEqual(['/', '/a', '/a/web']);
    expect(visibleForSearch([], '  ')).toBeNull();
  });
});
