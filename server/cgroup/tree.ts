/**
 * Making cgroups exist, ready for limits. On v1 that is mkdir (plus cpuset lists, done by the
 * cpuset driver's initNew). On v2 a controller's files appear in a cgroup only when its parent
 * lists the controller in cgroup.subtree_control, and the kernel's "no internal processes" rule
 * refuses that write while the parent itself holds processes (the root cgroup excepted).
 *
 * `planTree` decides, from a snapshot of the chain of cgroups, what to do: pure, so the
 * decision is unit-tested on fixture trees. `applyTree` does it and undoes it on failure.
 *
 * The server's own cgroup is the one place where that rule bites in practice: with a relative
 * managed root, the managed root hangs below the cgroup the server runs in. Following systemd's
 * Delegate= guidance, the server then moves itself into a leaf beside the managed root
 * (`<managed root>-server`) and enables the controllers in the cgroup it left. It never moves a
 * process it does not own: if anything else shares its cgroup, it refuses and says so.
 */
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver } from './driver';
import { makeChildDir, openCgroupDir, removeCgroupDir, type CgroupDir, type HostRoots } from './fsio';
import { WriteJournal } from './journal';
import type { Hierarchy } from './model';
import { readCgroupProcs, writeCgroupProcs } from './procs';

export interface TreeNode {
  /** Absolute cgroup path. */
  path: string;
  exists: boolean;
  /** The hierarchy's root cgroup: exempt from the no-internal-processes rule. */
  isRoot: boolean;
  /** v2 cgroup.controllers (what this cgroup may hand to its children). */
  controllers: string[];
  /** v2 cgroup.subtree_control (what it does hand to them). */
  subtreeControl: string[];
  /** Processes in this cgroup itself. */
  procs: number[];
  /** Whether the children of this node need the controllers (every node but the target). */
  enable: boolean;
}

export type TreeStep =
  | { kind: 'mkdir'; path: string }
  | { kind: 'enable'; path: string; controllers: string[] }
  | { kind: 'move-server'; pid: number; from: string; to: string };

export interface TreePlanOptions {
  /** Controllers to hand down the chain (v2: the managed ones the root offers; v1: none). */
  wanted: readonly string[];
  /**
   * The highest cgroup cgdash may change: the cgroup the managed root hangs from (the server's
   * own, delegated to it). Above it nothing is written: what those cgroups do not hand down is
   * simply not available (systemd owns them; see its cgroup delegation guidance).
   * Default: the first node.
   */
  boundary?: string;
  /** May the server move itself out of its cgroup to free it (ensureManagedRoot only)? */
  server?: { pid: number; cgroup: string; leafPath: string };
}

function isAncestor(ancestor: string, p: string): boolean {
  return ancestor === '/' ? p.startsWith('/') : p === ancestor || p.startsWith(`${ancestor}/`);
}

/**
 * The steps that make every node exist and give the children of each `enable` node the wanted
 * controllers. Throws CgdashError 'busy' when a node that needs controllers holds processes
 * that are not the server's.
 */
export function planTree(nodes: readonly TreeNode[], options: TreePlanOptions): TreeStep[] {
  const steps: TreeStep[] = [];
  let available = [...options.wanted];
  const boundary = options.boundary ?? nodes[0]?.path ?? '/';
  for (const node of nodes) {
    if (!node.exists) steps.push({ kind: 'mkdir', path: node.path });
    // A cgroup made now gets exactly what its parent hands down.
    const own = node.exists ? available.filter((c) => node.controllers.includes(c)) : available;
    if (!node.enable) continue;
    if (node.path !== boundary && isAncestor(node.path, boundary)) {
      available = own.filter((c) => node.subtreeControl.includes(c));
      continue;
    }
    const missing = own.filter((c) => !node.subtreeControl.includes(c));
    available = own;
    if (missing.length === 0) continue;
    if (!node.isRoot && node.procs.length > 0) {
      const server = options.server;
      const onlyServer = server && node.path === server.cgroup && node.procs.every((p) => p === server.pid);
      if (!server || !onlyServer) {
        const foreign = node.procs.filter((p) => p !== server?.pid);
        throw new CgdashError(
          'busy',
          `cannot enable ${missing.join(', ')} for the children of ${node.path}: it holds ${node.procs.length} process(es)` +
            (server && node.path === server.cgroup
              ? ` besides cgdash itself (pids ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}), and cgdash moves only itself.` +
                ' Run cgdash as the only process of a systemd unit with Delegate=yes, or set CGDASH_CGROUP_ROOT to an absolute path whose parent holds no processes'
              : ', and cgroup v2 allows controllers for children only in a cgroup without processes of its own (no internal processes rule)'),
          { value: node.path },
        );
      }
      steps.push({ kind: 'mkdir', path: server.leafPath }, { kind: 'move-server', pid: server.pid, from: node.path, to: server.leafPath });
    }
    steps.push({ kind: 'enable', path: node.path, controllers: missing });
  }
  return steps;
}

/** The chain from `top` (an existing cgroup) down to `target`, as the planner needs it. */
export async function readChain(
  h: Hierarchy,
  top: string,
  target: string,
  readDelegation: ((d: CgroupDir) => Promise<{ controllers: string[]; subtreeControl: string[] }>) | null,
  /** Hand the controllers to the target's children too (the managed root). */
  enableTarget = false,
): Promise<TreeNode[]> {
  const rel = path.posix.relative(top, target);
  const paths = [top, ...(rel ? rel.split('/').map((_, i, parts) => path.posix.join(top, ...parts.slice(0, i + 1))) : [])];
  const nodes: TreeNode[] = [];
  for (const p of paths) {
    const d = await openCgroupDir(h, p);
    const state = d && readDelegation ? await readDelegation(d) : { controllers: [], subtreeControl: [] };
    nodes.push({
      path: p,
      exists: d !== null,
      isRoot: p === '/',
      ...state,
      procs: d && readDelegation ? await readCgroupProcs(d) : [],
      enable: p !== target || enableTarget,
    });
  }
  return nodes;
}

export interface TreeContext {
  hierarchy: Hierarchy;
  roots: HostRoots;
  /** Drivers bound to this hierarchy (for initNew). */
  drivers: readonly ControllerDriver[];
  writeSubtreeControl(d: CgroupDir, enable: readonly string[], disable?: readonly string[]): Promise<void>;
}

async function mustOpen(h: Hierarchy, p: string): Promise<CgroupDir> {
  const d = await openCgroupDir(h, p);
  if (!d) throw new CgdashError('not_found', `cgroup ${p} vanished in ${h.mountPoint}`);
  return d;
}

async function undoStep(step: TreeStep, ctx: TreeContext): Promise<void> {
  const h = ctx.hierarchy;
  if (step.kind === 'mkdir') {
    const d = await openCgroupDir(h, step.path);
    if (d) await removeCgroupDir(d);
  } else if (step.kind === 'enable') {
    const d = await openCgroupDir(h, step.path);
    if (d) await ctx.writeSubtreeControl(d, [], step.controllers);
  } else {
    await writeCgroupProcs(await mustOpen(h, step.from), step.pid);
  }
}

/** Undo applied steps, newest first; returns the messages of undo steps that failed. */
export async function undoTree(steps: readonly TreeStep[], ctx: TreeContext): Promise<string[]> {
  const failures: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await undoStep(step, ctx);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  return failures;
}

/** Carry out a plan; on failure undo what was done and rethrow. Returns the steps applied. */
export async function applyTree(steps: readonly TreeStep[], ctx: TreeContext): Promise<TreeStep[]> {
  const h = ctx.hierarchy;
  const done: TreeStep[] = [];
  try {
    for (const step of steps) {
      if (step.kind === 'mkdir') {
        const parent = await mustOpen(h, path.posix.dirname(step.path));
        if (!(await makeChildDir(parent, path.posix.basename(step.path)))) continue; // raced into existence
        done.push(step);
        const d = await mustOpen(h, step.path);
        const parentOfNew = parent;
        for (const driver of ctx.drivers) {
          await driver.initNew?.(d, { journal: new WriteJournal(), roots: ctx.roots, parent: parentOfNew });
        }
      } else if (step.kind === 'enable') {
        await ctx.writeSubtreeControl(await mustOpen(h, step.path), step.controllers);
        done.push(step);
      } else {
        await writeCgroupProcs(await mustOpen(h, step.to), step.pid);
        done.push(step);
      }
    }
  } catch (err) {
    const failures = await undoTree(done, ctx);
    if (failures.length > 0 && err instanceof Error) {
      err.message += `; undoing the steps before it also failed: ${failures.join('; ')}`;
    }
    throw err;
  }
  return done;
}
