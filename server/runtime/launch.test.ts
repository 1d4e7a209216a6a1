import { describe, expect, it } from 'vitest';
import type { CgroupPlacement } from '@/server/cgroup/model';
import { needsNetworkAttach, runtimeCgroupsPath } from './launch';
import type { CgroupsPort } from './ports';
import { parseContainerSpec } from './spec';

function port(paths: string[], managedRootName = 'cgdash'): CgroupsPort {
  const placements = paths.map((p, i) => ({ hierarchyId: i, version: 1, controllers: [], path: p, dir: `/sys/fs/cgroup/x${p}` }) as CgroupPlacement);
  return { mode: 'hybrid', managedRootName, resolve: () => placements } as unknown as CgroupsPort;
}

describe('runtimeCgroupsPath', () => {
  it('is relative where the managed root sits at different paths per hierarchy (this kind of host)', () => {
    expect(runtimeCgroupsPath(port(['/cgdash/containers/a', '/process_api/h/cgdash/containers/a']), 'containers/a')).toBe('cgdash/containers/a');
  });
  it('is the absolute path where it is the same everywhere (pure v2: one hierarchy)', () => {
    expect(runtimeCgroupsPath(port(['/cgdash/containers/a']), 'containers/a')).toBe('/cgdash/containers/a');
  });
});

describe('needsNetworkAttach', () => {
  it('only for a new netns on a named network', () => {
    expect(needsNetworkAttach(parseContainerSpec({ image: 'b', network: 'front' }))).toBe(true);
    expect(needsNetworkAttach(parseContainerSpec({ image: 'b' }))).toBe(false);
    expect(needsNetworkAttach(parseContainerSpec({ image: 'b', namespaces: { network: 'host' } }))).toBe(false);
  });
});
