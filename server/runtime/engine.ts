/**
 * The container engine: lifecycle (create, start, stop, kill, pause, restart, remove), the
 * restart-policy supervisor, exits seen through conmon's exit files, logs, exec, top, inspect,
 * live updates, commit, and `reconcile()` of SQLite with what really runs after a server
 * (re)start. Containers run under conmon and outlive this process.
 *
 * Concurrency: one KeyedMutex per container for short state transitions; waiting for an exit
 * never holds it (the exit handler needs it).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import type { Db } from '@/server/db';
import type { Limits } from '@/server/cgroup/model';
import { CgdashError, isCgdashError } from '@/server/lib/errors';
import { exec } from '@/server/lib/exec';
import { ContainerStore, type ContainerRecord, type ContainerState } from './container-store';
import { ExitWatcher, oomMarked, readExitCode } from './exits';
import { resolveDeviceNumbers, resolveVolumes } from './host-refs';
import { ensureRootfs, removeBundle } from './images/rootfs';
import { ImageStore } from './images/store';
import { conmonAlive, conmonMoved, launch, readBundleConfig, runtimeCgroupsPath, teardown, type LaunchDeps } from './launch';
import { patchOfLimits, retargetRuncState } from './move';
import { followLogs, readLogs, type FollowOptions, type LogLine, type LogQuery } from './logs';
import { KeyedMutex } from './mutex';
import { namespacesOf, type NamespaceInfo } from './namespaces-info';
import { liveUpdate } from './live-update';
import { isSession, processArgs } from './oci';
import type { OciMount } from './oci-types';
import { chooseRuntime, OciRuntime, type RuntimeChoice, type RuntimeName } from './oci-runtime';
import { runtimePaths, type RuntimePaths } from './paths';
import type { CgroupsPort, NetworkPort } from './ports';
import { readProcesses, type ContainerProcess } from './processes';
import { decideRestart } from './restart-policy';
import { parseContainerSpec, type ContainerLimits, type ContainerLimitsInput, type ContainerSpec, type ContainerSpecInput } from './spec';

export interface EngineOptions {
  /** CGDASH_DATA_DIR: bundles, logs, images. */
  dataDir: string;
  /** Volatile state: runc root, exit files (default /run/cgdash). */
  runDir: string;
  /** The server's store, already migrated with `runtimeMigrations`. */
  db: Db;
  cgroups: CgroupsPort;
  network?: NetworkPort | null;
  runtime?: 'auto' | RuntimeName;
  conmon?: string;
  /** How often exit files are polled besides fs.watch. */
  exitPollMs?: number;
}

export interface StateChange {
  id: string;
  name: string;
  from: ContainerState | 'removed';
  to: ContainerState | 'removed';
  reason?: string;
}

export interface ExitStatus {
  exitCode: number | null;
  oomKilled: boolean;
}

export interface ContainerInspect {
  id: string;
  name: string;
  state: ContainerState;
  image: { ref: string; digest: string; id: string };
  spec: ContainerSpec;
  pid: number | null;
  conmonPid: number | null;
  exitCode: number | null;
  oomKilled: boolean;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  restartCount: number;
  tenant: string | null;
  error: string | null;
  runtime: { name: RuntimeName; status: string | null };
  namespaces: NamespaceInfo[];
  cgroup: { ref: string; runtimePath: string; placements: { hierarchyId: number; controllers: string[]; dir: string }[]; limits: Limits | null; frozen: boolean | null };
  mounts: OciMount[];
  network: ContainerRecord['network'];
  bundle: string;
  logPath: string;
}

/** A change of limits: a field set to null removes that limit. */
export type LimitsUpdate = { [K in keyof ContainerLimitsInput]?: ContainerLimitsInput[K] | null };

const live: ContainerState[] = ['created', 'running', 'paused'];

function newId(): string {
  return randomBytes(32).toString('hex');
}

function defaultName(id: string): string {
  return `c-${id.slice(0, 12)}`;
}

export class Engine {
  /**
   * 'state' (StateChange), 'exit' ({id, exitCode, oomKilled}), 'problem' (an Error from
   * background work: exit handling, restarts). Not 'error': an unheard 'error' would throw.
   */
  // Every log reader listens for its container's exit: many at once is normal, not a leak.
  readonly events = new EventEmitter().setMaxListeners(0);
  readonly images: ImageStore;
  readonly paths: RuntimePaths;
  private readonly store: ContainerStore;
  private readonly locks = new KeyedMutex();
  private readonly waiters = new Map<string, ((s: ExitStatus) => void)[]>();
  private readonly restartTimers = new Map<string, { timer: NodeJS.Timeout; delayMs: number }>();
  private readonly lastDelay = new Map<string, number>();
  private readonly removing = new Set<string>();
  /** Exit codes of session commands (isSession) waiting for the keeper's exit to be recorded. */
  private readonly sessionExits = new Map<string, number>();
  /** Open log readers per container (see followLogs). */
  private readonly followers = new Map<string, number>();
  private watcher: ExitWatcher | null = null;
  private orphanTimer: NodeJS.Timeout | null = null;
  private deps!: LaunchDeps;
  private closed = false;

  private constructor(
    private readonly options: EngineOptions,
    readonly runtimeChoice: RuntimeChoice,
  ) {
    this.paths = runtimePaths(options.dataDir, options.runDir);
    this.images = new ImageStore(this.paths.imagesDir);
    this.store = new ContainerStore(options.db);
  }

  /** What `reconcile()` found when this engine opened (a server start). */
  startupChanges: StateChange[] = [];

  /**
   * Open the engine: reconcile with what runs, then watch exits. Reconciling before the watcher
   * starts means every exit that happened while the server was away is handled exactly once,
   * by reconcile, and reported in `startupChanges`.
   */
  static async open(options: EngineOptions): Promise<Engine> {
    const choice = await chooseRuntime(options.runtime ?? 'auto', options.cgroups.mode);
    const engine = new Engine(options, choice);
    await engine.init();
    engine.startupChanges = await engine.reconcile();
    await engine.watcher?.start();
    engine.scheduleOrphanCheck();
    return engine;
  }

  /**
   * conmon writes the exit file; a conmon that died (killed by hand, OOM) never will. Every few
   * seconds, live containers whose conmon is gone are asked of runc directly.
   */
  private scheduleOrphanCheck(): void {
    const everyMs = (this.options.exitPollMs ?? 1000) * 5;
    const tick = () => {
      if (this.closed) return;
      void this.checkOrphans()
        .catch((err) => this.events.emit('problem', err))
        .finally(() => {
          if (!this.closed) {
            this.orphanTimer = setTimeout(tick, everyMs);
            this.orphanTimer.unref();
          }
        });
    };
    this.orphanTimer = setTimeout(tick, everyMs);
    this.orphanTimer.unref();
  }

  private async checkOrphans(): Promise<void> {
    for (const rec of this.store.list({ states: live })) {
      if (await conmonAlive(rec.conmonPid, rec.id)) continue;
      if ((await readExitCode(this.paths.exitFile(rec.id))) !== null) continue; // the exit watcher's
      const state = await this.runtime.state(rec.id);
      if (state && state.status !== 'stopped') continue; // still runs; its exit will be found here
      await this.markLost(rec, 'conmon is gone and no exit code was recorded');
    }
  }

  private async markLost(rec: ContainerRecord, reason: string): Promise<void> {
    await this.locks.run(rec.id, async () => {
      const cur = this.store.get(rec.id);
      if (!cur || !live.includes(cur.state)) return;
      await teardown(cur, this.deps).catch(() => undefined);
      this.setState(rec.id, 'dead', { pid: null, conmonPid: null, finishedAt: Date.now(), error: reason }, reason);
    });
    for (const resolve of this.waiters.get(rec.id) ?? []) resolve({ exitCode: null, oomKilled: false });
    this.waiters.delete(rec.id);
    if (rec.spec.autoRemove) await this.remove(rec.id, { force: true }).catch((err) => this.events.emit('problem', err));
  }

  private async init(): Promise<void> {
    const { paths, options } = this;
    for (const d of [paths.containersDir, paths.runtimeRoot, paths.exitsDir, paths.socketDir]) await mkdir(d, { recursive: true, mode: 0o700 });
    // The mapped root of a user-namespaced container must be able to walk to its rootfs:
    // search (x) for others on the way, never read (no listing of containers).
    for (const d of [paths.dataDir, paths.containersDir]) await chmod(d, ((await stat(d)).mode & 0o777) | 0o711);
    const runtime = new OciRuntime(this.runtimeChoice.binary, paths.runtimeRoot);
    this.deps = {
      paths,
      runtime,
      cgroups: options.cgroups,
      network: options.network ?? null,
      conmon: options.conmon ?? 'conmon',
      onProblem: (err) => this.events.emit('problem', err),
      pidOfContainer: (name) => {
        const rec = this.store.byName(name);
        return rec && (rec.state === 'running' || rec.state === 'paused' || rec.state === 'created') ? rec.pid : null;
      },
    };
    this.watcher = new ExitWatcher(
      paths.exitsDir,
      () => this.store.list({ states: live }).map((r) => r.id),
      (id) => void this.onExit(id).catch((err) => this.events.emit('problem', err)),
      options.exitPollMs ?? 1000,
    );
  }

  get runtime(): OciRuntime {
    return this.deps.runtime;
  }

  /** Stop watching; containers keep running under conmon. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.orphanTimer) clearTimeout(this.orphanTimer);
    for (const { timer } of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
  }

  // ---- lookups ---------------------------------------------------------------------------

  get(ref: string): ContainerRecord {
    const rec = this.store.find(ref);
    if (!rec) throw new CgdashError('not_found', `no container ${ref}`, { field: 'container', value: ref });
    return rec;
  }

  list(filter: { all?: boolean; tenant?: string } = {}): ContainerRecord[] {
    const all = this.store.list({ tenant: filter.tenant });
    return filter.all ? all : all.filter((r) => r.state === 'running' || r.state === 'paused' || r.state === 'restarting');
  }

  private setState(id: string, to: ContainerState, patch: Partial<Omit<ContainerRecord, 'id'>> = {}, reason?: string): void {
    const before = this.store.get(id);
    this.store.update(id, { ...patch, state: to });
    if (before && before.state !== to) this.events.emit('state', { id, name: before.name, from: before.state, to, reason } satisfies StateChange);
  }

  // ---- create / start --------------------------------------------------------------------

  /** Make a container (rootfs, config, conmon + runc create); its process waits for start. */
  async create(input: ContainerSpecInput | ContainerSpec): Promise<ContainerRecord> {
    const spec = parseContainerSpec(input);
    const id = newId();
    const name = spec.name ?? defaultName(id);
    const volumes = await resolveVolumes(spec);
    const resolved: ContainerSpec = { ...spec, name, volumes };
    const image = await this.images.get(spec.image);
    const cgroupRef = spec.tenant ? `tenants/${spec.tenant}/${id}` : `containers/${id}`;
    const rec: ContainerRecord = {
      id, name, spec: resolved, imageRef: image.ref, imageDigest: image.configDigest, state: 'creating',
      pid: null, conmonPid: null, exitCode: null, oomKilled: false, createdAt: Date.now(), startedAt: null,
      finishedAt: null, restartCount: 0, stoppedByUser: false, tenant: spec.tenant ?? null, cgroupRef, network: null, error: null,
    };
    this.store.insert(rec); // reserves the name; a crash from here on is cleaned by reconcile
    try {
      await this.images.unpack(image.ref, this.paths.bundle(id), spec.namespaces.user === 'new' ? spec.usernsMapping : undefined);
      await chmod(this.paths.bundle(id), 0o711);
      await mkdir(this.paths.persist(id), { recursive: true });
      const launched = await launch(rec, image.config.config ?? {}, this.deps);
      this.store.update(id, { state: 'created', pid: launched.pid, conmonPid: launched.conmonPid, network: launched.network });
      return this.get(id);
    } catch (err) {
      await removeBundle(this.paths.bundle(id)).catch(() => undefined);
      this.store.delete(id);
      throw err;
    }
  }

  /** Start a created container, or start an exited one again (a fresh runc container on the same rootfs). */
  async start(ref: string): Promise<ContainerRecord> {
    const rec = this.get(ref);
    this.cancelRestart(rec.id);
    await this.locks.run(rec.id, async () => {
      const cur = this.get(rec.id);
      if (cur.state === 'running' || cur.state === 'paused') return;
      if (cur.state !== 'created') await this.relaunch(cur);
      await this.startCreated(this.get(rec.id), true);
    });
    return this.get(rec.id);
  }

  /** create + start; a failed start removes what create made. */
  async run(input: ContainerSpecInput | ContainerSpec): Promise<ContainerRecord> {
    const rec = await this.create(input);
    try {
      return await this.start(rec.id);
    } catch (err) {
      await this.remove(rec.id, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async relaunch(rec: ContainerRecord): Promise<void> {
    const image = await this.images.get(rec.imageDigest);
    // An overlay rootfs does not survive a reboot: mount it again over the image's unpack.
    await ensureRootfs(this.paths.bundle(rec.id), this.images.lowerRootfs(image, rec.spec.namespaces.user === 'new' ? rec.spec.usernsMapping : undefined));
    this.watcher?.forget(rec.id);
    const launched = await launch(rec, image.config.config ?? {}, this.deps);
    this.store.update(rec.id, {
      state: 'created', pid: launched.pid, conmonPid: launched.conmonPid, network: launched.network,
      exitCode: null, oomKilled: false, finishedAt: null, error: null,
    });
  }

  /** `byUser`: an explicit start clears an earlier manual stop; a policy restart must not. */
  private async startCreated(rec: ContainerRecord, byUser: boolean): Promise<void> {
    const startedAt = Date.now();
    try {
      await this.runtime.start(rec.id);
    } catch (err) {
      await teardown(rec, this.deps).catch(() => undefined);
      this.setState(rec.id, 'exited', { pid: null, error: (err as Error).message, finishedAt: Date.now() });
      throw err;
    }
    this.setState(rec.id, 'running', byUser ? { startedAt, stoppedByUser: false } : { startedAt });
    await conmonMoved(rec.id);
    void this.watcher?.check(rec.id);
  }

  // ---- exits, restart policy ----------------------------------------------------------------

  private async onExit(id: string): Promise<void> {
    let ended = null as ContainerRecord | null;
    await this.locks.run(id, async () => {
      const rec = this.store.get(id);
      if (!rec || !live.includes(rec.state)) return;
      const exitFile = this.paths.exitFile(id);
      // A session ends with its command's code, not the keeper's SIGKILL.
      const sessionExit = this.sessionExits.get(id);
      this.sessionExits.delete(id);
      const exitCode = sessionExit ?? (await readExitCode(exitFile));
      const writtenAt = await stat(exitFile).then((s) => Math.round(s.mtimeMs)).catch(() => Date.now());
      const finishedAt = Math.max(writtenAt, rec.startedAt ?? 0);
      const oomKilled = (await oomMarked(this.paths.persist(id))) || (await this.oomCounted(rec));
      // Tell waiters first (a `run` in the foreground is waiting for exactly this), then clean
      // up: teardown (runc delete, the cgroup) stays under the lock, so nothing can start or
      // remove the container until it is done.
      this.setState(id, 'exited', { exitCode, oomKilled, finishedAt, pid: null, conmonPid: null });
      const done: ExitStatus = { exitCode, oomKilled };
      for (const resolve of this.waiters.get(id) ?? []) resolve(done);
      this.waiters.delete(id);
      this.events.emit('exit', { id, ...done });
      // conmon has written the exit file: it is done with the container
      await teardown(rec, this.deps).catch((err) => this.events.emit('problem', err));
      ended = rec;
    });
    const rec = ended;
    if (!rec || this.removing.has(id) || this.closed) return;
    if (rec.spec.autoRemove) {
      await this.drainFollowers(id);
      await this.remove(id, { force: true }).catch((err) => this.events.emit('problem', err));
      return;
    }
    this.applyRestartPolicy(this.get(id));
  }

  /** The kernel's own count, for when conmon's marker was missed (e.g. exit while it was down). */
  private async oomCounted(rec: ContainerRecord): Promise<boolean> {
    try {
      const { usage } = await this.options.cgroups.readUsage(rec.cgroupRef, new Set(['memory'] as const));
      const events = usage.memory?.events;
      return (events?.oomKill ?? 0n) > 0n;
    } catch {
      return false;
    }
  }

  private applyRestartPolicy(rec: ContainerRecord): void {
    const decision = decideRestart({
      policy: rec.spec.restartPolicy,
      exitCode: rec.exitCode,
      restartCount: rec.restartCount,
      stoppedByUser: rec.stoppedByUser,
      ranForMs: rec.startedAt && rec.finishedAt ? rec.finishedAt - rec.startedAt : 0,
      previousDelayMs: this.lastDelay.get(rec.id) ?? 0,
    });
    if (!decision.restart) return;
    this.lastDelay.set(rec.id, decision.delayMs);
    this.setState(rec.id, 'restarting', {}, `restart policy ${rec.spec.restartPolicy.name}`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      void this.locks
        .run(rec.id, async () => {
          const cur = this.store.get(rec.id);
          if (!cur || cur.state !== 'restarting' || cur.stoppedByUser || this.removing.has(rec.id)) return;
          this.store.update(rec.id, { restartCount: cur.restartCount + 1 });
          await this.relaunch(this.get(rec.id));
          await this.startCreated(this.get(rec.id), false);
        })
        .catch((err) => {
          if (this.store.get(rec.id)?.state === 'restarting') this.setState(rec.id, 'exited', { error: (err as Error).message });
          this.events.emit('problem', err);
        });
    }, decision.delayMs);
    timer.unref();
    this.restartTimers.set(rec.id, { timer, delayMs: decision.delayMs });
  }

  private cancelRestart(id: string): void {
    const t = this.restartTimers.get(id);
    if (t) clearTimeout(t.timer);
    this.restartTimers.delete(id);
  }

  /** Resolves at the container's next exit (or at once if it is not running). */
  async wait(ref: string, options: { timeoutMs?: number } = {}): Promise<ExitStatus> {
    const rec = this.get(ref);
    if (!live.includes(rec.state) && rec.state !== 'restarting' && rec.state !== 'creating') {
      return { exitCode: rec.exitCode, oomKilled: rec.oomKilled };
    }
    return new Promise<ExitStatus>((resolve, reject) => {
      const list = this.waiters.get(rec.id) ?? [];
      let timer: NodeJS.Timeout | undefined;
      const done = (s: ExitStatus) => {
        if (timer) clearTimeout(timer);
        resolve(s);
      };
      list.push(done);
      this.waiters.set(rec.id, list);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const l = this.waiters.get(rec.id) ?? [];
          this.waiters.set(rec.id, l.filter((f) => f !== done));
          reject(new CgdashError('busy', `container ${rec.name} did not exit within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      void this.watcher?.check(rec.id);
    });
  }

  // ---- stop / kill / pause ----------------------------------------------------------------

  /** SIGTERM, then SIGKILL to every process after `timeoutSec` (default: the spec's, 10 s). */
  async stop(ref: string, options: { timeoutSec?: number } = {}): Promise<ContainerRecord> {
    // Under the container's lock, so a policy restart in progress finishes first and the next
    // one sees the stop.
    const rec = await this.locks.run(this.get(ref).id, async () => {
      const cur = this.get(ref);
      this.cancelRestart(cur.id);
      if (cur.state === 'restarting') this.setState(cur.id, 'exited', { stoppedByUser: true });
      else if (live.includes(cur.state)) this.store.update(cur.id, { stoppedByUser: true });
      return this.get(cur.id);
    });
    if (!live.includes(rec.state)) return rec;
    const exited = this.wait(rec.id);
    if (rec.state === 'paused') await this.runtime.resume(rec.id).catch(() => undefined);
    const timeoutMs = (options.timeoutSec ?? rec.spec.stopTimeoutSec) * 1000;
    await this.signal(rec, 'SIGTERM', false);
    const first = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs).unref())]);
    if (first === null) {
      await this.signal(rec, 'SIGKILL', true);
      await exited;
    }
    return this.get(rec.id);
  }

  private async signal(rec: ContainerRecord, signal: string, all: boolean): Promise<void> {
    try {
      await this.runtime.kill(rec.id, signal, { all: all || rec.spec.namespaces.pid !== 'new' });
    } catch (err) {
      // gone already: the exit file tells the rest
      if (!(isCgdashError(err) && (err.kind === 'not_found' || err.kind === 'busy'))) throw err;
    }
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/.test(signal)) throw new CgdashError('invalid', `"${signal}" is not a signal`, { field: 'signal' });
    const rec = this.get(ref);
    if (!live.includes(rec.state)) throw new CgdashError('busy', `container ${rec.name} is not running`);
    this.cancelRestart(rec.id);
    this.store.update(rec.id, { stoppedByUser: true });
    await this.signal(rec, signal, false);
  }

  async restart(ref: string, options: { timeoutSec?: number } = {}): Promise<ContainerRecord> {
    const rec = await this.stop(ref, options);
    return this.start(rec.id);
  }

  async pause(ref: string): Promise<ContainerRecord> {
    const rec = this.get(ref);
    await this.locks.run(rec.id, async () => {
      const cur = this.get(rec.id);
      if (cur.state !== 'running') throw new CgdashError('busy', `container ${cur.name} is ${cur.state}, not running`);
      await this.runtime.pause(cur.id);
      this.setState(cur.id, 'paused');
    });
    return this.get(rec.id);
  }

  async unpause(ref: string): Promise<ContainerRecord> {
    const rec = this.get(ref);
    await this.locks.run(rec.id, async () => {
      const cur = this.get(rec.id);
      if (cur.state !== 'paused') throw new CgdashError('busy', `container ${cur.name} is ${cur.state}, not paused`);
      await this.runtime.resume(cur.id);
      this.setState(cur.id, 'running');
    });
    return this.get(rec.id);
  }

  // ---- remove --------------------------------------------------------------------------------

  /** Remove a container and everything of it; a running one only with `force` (killed first). */
  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    if ((live.includes(rec.state) || rec.state === 'restarting') && !options.force) {
      throw new CgdashError('busy', `container ${rec.name} is ${rec.state}: stop it first or remove with force`);
    }
    this.removing.add(rec.id);
    try {
      this.cancelRestart(rec.id);
      if (live.includes(rec.state)) {
        const exited = this.wait(rec.id, { timeoutMs: 30_000 });
        if (rec.state === 'paused') await this.runtime.resume(rec.id).catch(() => undefined);
        await this.signal(rec, 'SIGKILL', true);
        await exited.catch(() => undefined);
      }
      await this.locks.run(rec.id, async () => {
        const cur = this.store.get(rec.id);
        if (!cur) return;
        await teardown(cur, this.deps);
        await rm(this.paths.exitFile(cur.id), { force: true });
        await removeBundle(this.paths.bundle(cur.id));
        this.store.delete(cur.id);
        this.events.emit('state', { id: cur.id, name: cur.name, from: cur.state, to: 'removed' } satisfies StateChange);
      });
    } finally {
      this.removing.delete(rec.id);
      this.lastDelay.delete(rec.id);
    }
  }

  // ---- logs, exec, top --------------------------------------------------------------------

  logs(ref: string, query: LogQuery = {}): Promise<LogLine[]> {
    return readLogs(this.paths.log(this.get(ref).id), query);
  }

  /** Backlog then new lines until the container stops (or `signal` aborts). */
  followLogs(ref: string, options: Omit<FollowOptions, 'isDone'> = {}): AsyncGenerator<LogLine> {
    const rec = this.get(ref);
    // Counted from the call, not the first read: an auto-removed container must not take its
    // log away from a reader that is about to start (`run` without -d follows a fresh one).
    this.followers.set(rec.id, (this.followers.get(rec.id) ?? 0) + 1);
    const lines = followLogs(this.paths.log(rec.id), {
      ...options,
      // The exit is the last thing a reader waits for: wake it then, not at its next poll.
      onWake: (wake) => {
        const onExit = (e: { id: string }) => e.id === rec.id && wake();
        this.events.on('exit', onExit);
        return () => this.events.off('exit', onExit);
      },
      isDone: () => {
        const cur = this.store.get(rec.id);
        return !cur || !(live.includes(cur.state) || cur.state === 'restarting');
      },
    });
    const release = () => {
      const n = (this.followers.get(rec.id) ?? 1) - 1;
      if (n > 0) this.followers.set(rec.id, n);
      else this.followers.delete(rec.id);
    };
    return (async function* () {
      try {
        yield* lines;
      } finally {
        release();
      }
    })();
  }

  /** Let readers of an exited container's log finish before an auto-remove deletes it. */
  private async drainFollowers(id: string, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.followers.has(id) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private running(ref: string): ContainerRecord {
    const rec = this.get(ref);
    if (rec.state !== 'running') throw new CgdashError('busy', `container ${rec.name} is ${rec.state}, not running`);
    return rec;
  }

  /** Run a command in the container and collect its output and exit code. */
  async exec(ref: string, cmd: string[], options: ExecOptions & { timeoutMs?: number; input?: string } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const rec = this.running(ref);
    if (!cmd.length) throw new CgdashError('invalid', 'exec needs a command', { field: 'cmd' });
    checkExecOptions(options);
    const [bin, ...args] = this.runtime.execArgv(rec.id, { cmd, env: options.env, cwd: options.cwd, user: options.user });
    const r = await exec(bin as string, args, { timeoutMs: options.timeoutMs ?? 60_000, input: options.input });
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The argv that runs a session container's own command on a terminal (see isSession):
   * the terminal layer runs it under node-pty and calls endSession with its exit code.
   */
  async sessionArgv(ref: string): Promise<string[]> {
    const rec = this.running(ref);
    if (!isSession(rec.spec)) throw new CgdashError('invalid', `container ${rec.name} is not interactive (run it with -it to attach)`);
    const image = await this.images.get(rec.imageDigest);
    const cmd = processArgs(rec.spec, image.config.config ?? {});
    return this.runtime.execArgv(rec.id, { cmd, tty: true });
  }

  /** The session's command ended: the container ends with its exit code, as `docker run -it`. */
  async endSession(ref: string, exitCode: number): Promise<void> {
    const rec = this.get(ref);
    if (!live.includes(rec.state)) return;
    this.sessionExits.set(rec.id, exitCode);
    this.store.update(rec.id, { stoppedByUser: true });
    await this.kill(rec.id, 'SIGKILL');
  }

  /** argv of an interactive exec (`runc exec --tty`) for the API layer to run under node-pty. */
  execArgv(ref: string, cmd: string[], options: ExecOptions & { tty?: boolean } = {}): string[] {
    const rec = this.running(ref);
    checkExecOptions(options);
    return this.runtime.execArgv(rec.id, { cmd: cmd.length ? cmd : ['sh'], tty: options.tty ?? true, env: options.env, cwd: options.cwd, user: options.user });
  }

  async top(ref: string): Promise<ContainerProcess[]> {
    const rec = this.get(ref);
    if (!live.includes(rec.state)) return [];
    return readProcesses(await this.runtime.pids(rec.id));
  }

  // ---- moving between tenants ---------------------------------------------------------------

  /**
   * Move a container into another tenant's slice (or out of any), live: a new cgroup with the
   * same limits below the new parent, every process moved into it, runc's state pointed at it,
   * the old cgroup removed. The user namespace it was created with stays until it is recreated
   * (a running process cannot change its user namespace).
   */
  async move(ref: string, tenant: string | null): Promise<ContainerRecord> {
    const rec = this.get(ref);
    await this.locks.run(rec.id, async () => {
      const cur = this.get(rec.id);
      const target = tenant ? `tenants/${tenant}/${cur.id}` : `containers/${cur.id}`;
      if (target === cur.cgroupRef) return;
      if (cur.state === 'paused') throw new CgdashError('busy', `container ${cur.name} is paused: unpause it to move it`);
      if (live.includes(cur.state)) {
        if (this.runtimeChoice.name !== 'runc') {
          throw new CgdashError('unavailable', `moving a running container needs runc (this one runs on ${this.runtimeChoice.name}): stop it first`);
        }
        await this.moveLive(cur, target);
      }
      this.store.update(cur.id, { tenant, cgroupRef: target, spec: { ...cur.spec, tenant: tenant ?? undefined } });
    });
    return this.get(rec.id);
  }

  private async moveLive(rec: ContainerRecord, target: string): Promise<void> {
    const { cgroups } = this.options;
    const before = await cgroups.get(rec.cgroupRef);
    await cgroups.create(target);
    try {
      await cgroups.setLimits(target, patchOfLimits(before.limits));
      // Processes may fork while they move: repeat until the old cgroup is empty.
      for (let round = 0; round < 20; round++) {
        const pids = await cgroups.pidsOf(rec.cgroupRef);
        if (!pids.length) break;
        for (const pid of pids) await cgroups.moveProcess(pid, target).catch((err: unknown) => {
          if ((err as { kind?: string }).kind !== 'not_found') throw err;
        });
      }
      if ((await cgroups.pidsOf(rec.cgroupRef)).length) throw new CgdashError('busy', `container ${rec.name} keeps forking: could not move all its processes`);
    } catch (err) {
      // Put back whatever moved, and drop the new cgroup: the container stays where it was.
      for (const pid of await cgroups.pidsOf(target).catch(() => [] as number[])) await cgroups.moveProcess(pid, rec.cgroupRef).catch(() => undefined);
      await cgroups.remove(target, { kill: false }).catch(() => undefined);
      throw err;
    }
    await retargetRuncState(this.paths.runtimeRoot, rec.id, runtimeCgroupsPath(cgroups, rec.cgroupRef), runtimeCgroupsPath(cgroups, target));
    await cgroups.remove(rec.cgroupRef, { kill: false });
  }

  // ---- inspect, update, commit ------------------------------------------------------------

  async inspect(ref: string): Promise<ContainerInspect> {
    const rec = this.get(ref);
    const runtimeState = live.includes(rec.state) ? await this.runtime.state(rec.id).catch(() => null) : null;
    let limits: Limits | null = null;
    let frozen: boolean | null = null;
    let placements: ContainerInspect['cgroup']['placements'] = [];
    try {
      const detail = await this.options.cgroups.get(rec.cgroupRef);
      limits = detail.limits;
      frozen = detail.frozen;
      placements = detail.placements.map((p) => ({ hierarchyId: p.hierarchyId, controllers: p.controllers, dir: p.dir }));
    } catch {
      /* not running: no cgroup */
    }
    const config = await readBundleConfig(this.paths, rec.id);
    return {
      id: rec.id,
      name: rec.name,
      state: rec.state,
      image: { ref: rec.imageRef, digest: rec.imageDigest, id: rec.imageDigest.slice(7, 19) },
      spec: rec.spec,
      pid: rec.pid,
      conmonPid: rec.conmonPid,
      exitCode: rec.exitCode,
      oomKilled: rec.oomKilled,
      createdAt: rec.createdAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      restartCount: rec.restartCount,
      tenant: rec.tenant,
      error: rec.error,
      runtime: { name: this.runtimeChoice.name, status: runtimeState?.status ?? null },
      namespaces: rec.pid && live.includes(rec.state) ? await namespacesOf(rec.pid) : [],
      cgroup: { ref: rec.cgroupRef, runtimePath: runtimeCgroupsPath(this.options.cgroups, rec.cgroupRef), placements, limits, frozen },
      mounts: config?.mounts ?? [],
      network: rec.network,
      bundle: this.paths.bundle(rec.id),
      logPath: this.paths.log(rec.id),
    };
  }

  /**
   * Change limits; on a live container at once (runc update keeps its state.json in step;
   * block I/O throttles, which runc update does not take, go through the cgroup module).
   * Returns the new spec limits and the limits read back from the kernel.
   */
  async update(ref: string, change: LimitsUpdate): Promise<{ limits: ContainerLimits; kernel: Limits | null }> {
    const rec = this.get(ref);
    return this.locks.run(rec.id, async () => {
      const cur = this.get(rec.id);
      const merged: Record<string, unknown> = { ...cur.spec.limits };
      for (const [k, v] of Object.entries(change)) {
        if (v === null) delete merged[k];
        else if (v !== undefined) merged[k] = v;
      }
      const spec = parseContainerSpec({ ...cur.spec, limits: merged });
      let kernel: Limits | null = null;
      if (cur.state === 'running' || cur.state === 'paused' || cur.state === 'created') {
        const deviceNumbers = { ...(await resolveDeviceNumbers(cur.spec)), ...(await resolveDeviceNumbers(spec)) };
        const { runcResources, ioMax } = liveUpdate(cur.spec, spec, deviceNumbers);
        await this.runtime.update(cur.id, runcResources);
        if (ioMax.length) await this.options.cgroups.setLimits(cur.cgroupRef, { ioMax });
        kernel = (await this.options.cgroups.get(cur.cgroupRef)).limits;
      }
      this.store.update(cur.id, { spec });
      return { limits: spec.limits, kernel };
    });
  }

  /**
   * `docker commit`: the container's file system changes become a new image layer tagged
   * `target`, with the container's Entrypoint/Cmd/Env. A running container is paused meanwhile.
   */
  async commit(ref: string, target: string, options: { author?: string; message?: string; pause?: boolean } = {}): Promise<string> {
    const rec = this.get(ref);
    const config = await readBundleConfig(this.paths, rec.id);
    const image = await this.images.get(rec.imageDigest);
    const imageConfig = image.config.config ?? {};
    const entrypoint = rec.spec.entrypoint ?? imageConfig.Entrypoint ?? [];
    const cmd = rec.spec.command ?? (rec.spec.entrypoint !== undefined ? [] : imageConfig.Cmd ?? []);
    const env = (config?.process.env ?? imageConfig.Env ?? []).filter((e) => !e.startsWith('HOSTNAME='));
    const masks = ['/proc', '/sys', '/dev', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname',
      ...rec.spec.volumes.map((v) => v.containerPath), ...rec.spec.tmpfs.map((t) => t.containerPath)];
    const pause = (options.pause ?? true) && rec.state === 'running';
    if (pause) await this.pause(rec.id);
    try {
      return await this.images.commit(this.paths.bundle(rec.id), target, {
        author: options.author,
        message: options.message,
        createdBy: `cgdash commit ${rec.name}`,
        entrypoint,
        cmd,
        env,
        maskPaths: masks,
      });
    } finally {
      if (pause) await this.unpause(rec.id).catch(() => undefined);
    }
  }

  /** Remove an image; refused ('busy') while a container was made from it, as docker does. */
  async removeImage(refOrId: string): Promise<string[]> {
    const found = await this.images.find(refOrId);
    const digests = new Set(found.map((i) => i.configDigest));
    for (const digest of digests) {
      const allTags = (await this.images.list()).find((i) => i.digest === digest)?.repoTags ?? [];
      const removing = found.filter((i) => i.configDigest === digest).map((i) => i.ref);
      const users = this.store.usingImage(digest);
      const lastTag = allTags.every((t) => removing.includes(t));
      const byName = users.filter((u) => removing.includes(u.imageRef));
      if (users.length && (lastTag || byName.length)) {
        const names = (byName.length ? byName : users).map((u) => u.name).join(', ');
        throw new CgdashError('busy', `image ${refOrId} is used by container(s) ${names}: remove them first`, { field: 'image' });
      }
    }
    return this.images.remove(refOrId);
  }

  // ---- reconcile ------------------------------------------------------------------------

  /**
   * After a server (re)start: compare SQLite with runc and conmon's exit files. Containers that
   * exited meanwhile get their exit code (and OOM mark), --rm ones are removed, restart policies
   * apply; ones the runtime lost are marked dead; a create cut off by a crash is cleaned away.
   */
  async reconcile(): Promise<StateChange[]> {
    const changes: StateChange[] = [];
    const record = (c: StateChange) => changes.push(c);
    this.events.on('state', record);
    try {
      for (const listed of this.store.list()) {
        const rec = this.store.get(listed.id);
        if (!rec) continue;
        if (rec.state === 'creating') {
          await teardown(rec, this.deps).catch(() => undefined);
          await removeBundle(this.paths.bundle(rec.id));
          this.store.delete(rec.id);
          record({ id: rec.id, name: rec.name, from: 'creating', to: 'removed', reason: 'create was interrupted' });
          continue;
        }
        if (rec.state === 'restarting') {
          this.applyRestartPolicy({ ...rec, restartCount: rec.restartCount });
          continue;
        }
        if (!live.includes(rec.state)) {
          if (rec.spec.autoRemove) await this.remove(rec.id, { force: true });
          continue;
        }
        if ((await readExitCode(this.paths.exitFile(rec.id))) !== null) {
          await this.onExit(rec.id);
          continue;
        }
        const state = await this.runtime.state(rec.id);
        if (!state || state.status === 'stopped') {
          await this.markLost(rec, state ? 'the container stopped and no exit code was recorded' : 'the runtime no longer knows the container and no exit code was recorded');
          continue;
        }
        const now: ContainerState = state.status === 'paused' || state.status === 'pausing' ? 'paused' : state.status === 'created' ? 'created' : 'running';
        if (now !== rec.state || state.pid !== rec.pid) this.setState(rec.id, now, { pid: state.pid }, 'found so by the runtime');
      }
    } finally {
      this.events.off('state', record);
    }
    return changes;
  }
}

export interface ExecOptions {
  /** `KEY=VALUE` entries added to the process environment. */
  env?: string[];
  /** Absolute path inside the container. */
  cwd?: string;
  /** `uid[:gid]`, numeric. */
  user?: string;
}

/** What reaches runc's argv is checked first (argv, never a shell; still: runc gets no surprises). */
function checkExecOptions(o: ExecOptions): void {
  for (const e of o.env ?? []) if (!/^[^=\0]+=[^\0]*$/.test(e)) throw new CgdashError('invalid', `env entry "${e}" is not KEY=VALUE`, { field: 'env' });
  if (o.cwd !== undefined && (!o.cwd.startsWith('/') || o.cwd.includes('\0'))) throw new CgdashError('invalid', `cwd "${o.cwd}" must be an absolute path`, { field: 'cwd' });
  if (o.user !== undefined && !/^\d+(:\d+)?$/.test(o.user)) throw new CgdashError('invalid', `user "${o.user}" is uid[:gid], numeric`, { field: 'user' });
}
