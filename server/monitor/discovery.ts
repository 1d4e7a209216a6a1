/**
 * Which cgroup directories exist in each hierarchy, kept current cheaply.
 *
 * `cgroups.listPaths()` is the authority, but it reads every directory of every hierarchy: a
 * good part of a second of CPU on a host with a thousand cgroups (10 hierarchies on a hybrid
 * host make that 10 000 directories). So it runs at start and then rarely, as a reconciliation:
 * while inotify watches work at an interval that keeps its cost near 0.1 % of a core, without
 * them near 1 %. In between, the kernel tells us: a
 * cgroup is made and removed only by mkdir/rmdir, and cgroupfs reports both to inotify watches
 * on the parent directory, so a watch on every cgroup directory sees every change at once.
 * Watches are best effort (the inotify limit is per user and shared): without them, the
 * reconciliation runs every few seconds instead.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { CgroupManager, Hierarchy } from '@/server/cgroup';
import { childNames, openChildDir, openCgroupDir, type CgroupDir } from '@/server/cgroup/fsio';
import { dirOf } from '@/server/cgroup/mounts';

export interface DiscoveryOptions {
  cgroups: Pick<CgroupManager, 'listPaths' | 'hierarchies'>;
  /** Use inotify watches (default true). */
  watch?: boolean;
  /** Never hold more watches than this. */
  maxWatches?: number;
  /** Reconcile at most this often while watching... */
  reconcileMinMs?: number;
  /** ...and this often when not watching. */
  pollMinMs?: number;
  /** Reconcile cost budget without watches: the interval is at least this many times the last listPaths() wall time. */
  costFactor?: number;
  /** The same while watches work: reconciliation is then only a safety net. */
  watchCostFactor?: number;
  /** Called (debounced) after the set of directories changed. */
  onChange?: () => void;
  log?: (message: string) => void;
}

export interface DiscoveryStatus {
  watching: boolean;
  watches: number;
  /** Why watching stopped, when it did. */
  watchProblem: string | null;
  lastListMs: number;
  reconcileEveryMs: number;
  reconciles: number;
  fsEvents: number;
}

const key = (hid: number, p: string) => `${hid}\0${p}`;

export interface DiscoveryChange {
  hierarchyId: number;
  path: string;
  added: boolean;
}

export class CgroupDiscovery {
  /** Paths per hierarchy id. */
  readonly paths = new Map<number, Set<string>>();
  /** Bumped on every change of `paths`. */
  version = 0;
  /** Directories added and removed since the last `takeChanges()`. */
  private changes: DiscoveryChange[] = [];
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly hierarchies: readonly Hierarchy[];
  private readonly dirty = new Map<string, { h: Hierarchy; path: string }>();
  private dirtyTimer: NodeJS.Timeout | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private watchOk: boolean;
  private watchProblem: string | null = null;
  private lastListMs = 0;
  private reconcileEveryMs = 0;
  private reconciles = 0;
  private fsEvents = 0;
  private readonly o: Required<Omit<DiscoveryOptions, 'onChange' | 'log' | 'cgroups'>>;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly options: DiscoveryOptions) {
    this.hierarchies = options.cgroups.hierarchies;
    this.o = { watch: true, maxWatches: 50_000, reconcileMinMs: 60_000, pollMinMs: 5_000, costFactor: 100, watchCostFactor: 1000, ...stripUndefined(options) };
    this.watchOk = this.o.watch;
    for (const h of this.hierarchies) this.paths.set(h.id, new Set());
  }

  status(): DiscoveryStatus {
    return {
      watching: this.watchOk,
      watches: this.watchers.size,
      watchProblem: this.watchProblem,
      lastListMs: Math.round(this.lastListMs),
      reconcileEveryMs: Math.round(this.reconcileEveryMs),
      reconciles: this.reconciles,
      fsEvents: this.fsEvents,
    };
  }

  async start(): Promise<void> {
    await this.reconcile();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    if (this.dirtyTimer) clearTimeout(this.dirtyTimer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Read the whole tree with cgroups.listPaths() and make `paths` equal to it. */
  async reconcile(): Promise<void> {
    if (this.stopped) return;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    const started = performance.now();
    let nodes: Awaited<ReturnType<CgroupManager['listPaths']>> | null = null;
    try {
      nodes = await this.options.cgroups.listPaths();
    } catch (err) {
      this.options.log?.(`cgroup discovery: list failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.lastListMs = performance.now() - started;
    if (nodes && !this.stopped) {
      const next = new Map<number, Set<string>>();
      for (const h of this.hierarchies) next.set(h.id, new Set());
      for (const n of nodes) for (const hid of n.hierarchyIds) next.get(hid)?.add(n.path);
      let changed = false;
      for (const h of this.hierarchies) {
        const have = this.paths.get(h.id) ?? new Set<string>();
        const want = next.get(h.id) ?? new Set<string>();
        for (const p of have) if (!want.has(p)) {
          this.removeOne(h, p);
          changed = true;
        }
        for (const p of want) if (!have.has(p)) {
          this.addOne(h, p);
          changed = true;
        }
      }
      this.reconciles++;
      if (changed) this.changed();
    }
    if (this.stopped) return;
    this.reconcileEveryMs = this.watchOk
      ? Math.max(this.o.reconcileMinMs, this.lastListMs * this.o.watchCostFactor)
      : Math.max(this.o.pollMinMs, this.lastListMs * this.o.costFactor);
    this.reconcileTimer = setTimeout(() => void this.reconcile(), this.reconcileEveryMs);
    this.reconcileTimer.unref();
  }

  /** Look again at these directories soon (the sampler found one gone). */
  recheck(h: Hierarchy, cgroupPath: string): void {
    this.markDirty(h, cgroupPath);
  }

  private changed(): void {
    this.version++;
    this.options.onChange?.();
  }

  /** What changed since the last call, oldest first (the monitor applies it incrementally). */
  takeChanges(): DiscoveryChange[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  private addOne(h: Hierarchy, p: string): void {
    const set = this.paths.get(h.id);
    if (set && !set.has(p)) {
      set.add(p);
      this.changes.push({ hierarchyId: h.id, path: p, added: true });
    }
    this.watchDir(h, p);
  }

  private removeOne(h: Hierarchy, p: string): void {
    if (this.paths.get(h.id)?.delete(p)) this.changes.push({ hierarchyId: h.id, path: p, added: false });
    const k = key(h.id, p);
    this.watchers.get(k)?.close();
    this.watchers.delete(k);
  }

  private watchDir(h: Hierarchy, p: string): void {
    if (!this.watchOk || this.stopped) return;
    const k = key(h.id, p);
    if (this.watchers.has(k)) return;
    if (this.watchers.size >= this.o.maxWatches) return this.giveUpWatching(`more than ${this.o.maxWatches} cgroup directories`);
    let dir: string;
    try {
      dir = dirOf(h, p);
    } catch {
      return;
    }
    try {
      const w = watch(dir, { persistent: false }, (event, filename) => {
        this.fsEvents++;
        // "change" is a control file's content (cgroup.events, memory.events); only "rename" is mkdir/rmdir.
        if (event !== 'rename' || !filename) return;
        const name = filename.toString();
        if (name.includes('/')) return;
        this.markDirty(h, path.posix.join(p, name));
      });
      w.on('error', () => {
        w.close();
        this.watchers.delete(k);
      });
      this.watchers.set(k, w);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      this.giveUpWatching(code === 'ENOSPC' ? 'the inotify watch limit (fs.inotify.max_user_watches) is reached' : `inotify: ${(err as Error).message}`);
    }
  }

  private giveUpWatching(why: string): void {
    if (!this.watchOk) return;
    this.watchOk = false;
    this.watchProblem = why;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.options.log?.(`cgroup discovery: not watching for changes (${why}); re-reading the tree every few seconds instead`);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => void this.reconcile(), this.o.pollMinMs);
    this.reconcileTimer.unref();
  }

  private markDirty(h: Hierarchy, p: string): void {
    this.dirty.set(key(h.id, p), { h, path: p });
    if (this.dirtyTimer) return;
    // A burst (a container start makes a directory in every hierarchy) becomes one update.
    this.dirtyTimer = setTimeout(() => {
      this.dirtyTimer = null;
      this.applying = this.applying.then(() => this.applyDirty());
    }, 30);
    this.dirtyTimer.unref();
  }

  private async applyDirty(): Promise<void> {
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    let changed = false;
    for (const { h, path: p } of batch) {
      if (this.stopped) return;
      const d = await openCgroupDir(h, p).catch(() => null);
      const known = this.paths.get(h.id)?.has(p) ?? false;
      if (d && !known) {
        await this.addSubtree(h, d);
        changed = true;
      } else if (!d && known) {
        const prefix = `${p}/`;
        for (const q of [...(this.paths.get(h.id) ?? [])]) if (q === p || q.startsWith(prefix)) this.removeOne(h, q);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  /** A new directory may already have children (mkdir -p, a runtime's whole tree). */
  private async addSubtree(h: Hierarchy, d: CgroupDir): Promise<void> {
    this.addOne(h, d.path);
    for (const name of await childNames(d).catch(() => [] as string[])) {
      const child = await openChildDir(d, name);
      if (child) await this.addSubtree(h, child);
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
