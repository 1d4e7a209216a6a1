/**
 * Logical cgroups from the directories found in each hierarchy. A directory inside the managed
 * subtree is keyed by its path relative to the managed root: on a hybrid host the same managed
 * cgroup sits under different absolute paths per hierarchy (memory under
 * /process_api/<hash>/cgdash/x, the rest under /cgdash/x) and is one logical cgroup with all those
 * directories. Any other directory is keyed by its absolute path. Pure: no file system access.
 */
import type { Hierarchy } from '@/server/cgroup';
import { dirOf } from '@/server/cgroup/mounts';
import { managedPathIn } from '@/server/cgroup/refs';
import type { SampleTargetDir } from './sampler';

export interface LogicalCgroup {
  /** The name the API uses: relative to the managed root ("" = the root itself), or absolute. */
  ref: string;
  managedPath: string | null;
  /** The absolute path most hierarchies agree on: the tree position and Prometheus `id`. */
  path: string;
  /** Every absolute path it has (one per hierarchy where they differ). */
  paths: string[];
  /** One directory per hierarchy it exists in, in hierarchy order. */
  dirs: SampleTargetDir[];
}

/** Paths per hierarchy id, as found on disk. */
export type PathsByHierarchy = ReadonlyMap<number, ReadonlySet<string>>;

function mostCommon(paths: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
  let best = paths[0] ?? '/';
  for (const [p, n] of counts) if (n > (counts.get(best) ?? 0)) best = p;
  return best;
}

/** The ref a directory belongs to. */
export function refOf(h: Hierarchy, cgroupPath: string): { ref: string; managedPath: string | null } {
  const managedPath = managedPathIn(h, cgroupPath);
  return { ref: managedPath ?? cgroupPath, managedPath };
}

/** One logical cgroup from its directories (in hierarchy order); null when none is reachable. */
export function logicalCgroup(ref: string, managedPath: string | null, placements: readonly { h: Hierarchy; path: string }[]): LogicalCgroup | null {
  const dirs: SampleTargetDir[] = [];
  for (const { h, path } of placements) {
    try {
      dirs.push({ dir: dirOf(h, path), version: h.version, controllers: h.controllers });
    } catch {
      // outside the part of the hierarchy this mount shows
    }
  }
  if (dirs.length === 0) return null;
  const paths = placements.map((p) => p.path);
  return { ref, managedPath, path: mostCommon(paths), paths: [...new Set(paths)], dirs };
}

export function groupCgroups(hierarchies: readonly Hierarchy[], found: PathsByHierarchy): LogicalCgroup[] {
  const groups = new Map<string, { managedPath: string | null; placements: { h: Hierarchy; path: string }[] }>();
  for (const h of hierarchies) {
    for (const p of found.get(h.id) ?? []) {
      const { ref, managedPath } = refOf(h, p);
      let g = groups.get(ref);
      if (!g) {
        g = { managedPath, placements: [] };
        groups.set(ref, g);
      }
      g.placements.push({ h, path: p });
    }
  }
  const out: LogicalCgroup[] = [];
  for (const [ref, g] of groups) {
    const c = logicalCgroup(ref, g.managedPath, g.placements);
    if (c) out.push(c);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ref < b.ref ? -1 : 1));
}

/** A stable text of a cgroup's directories, to notice when they changed. */
export function dirsSignature(dirs: readonly SampleTargetDir[]): string {
  return dirs.map((d) => d.dir).join('\n');
}
