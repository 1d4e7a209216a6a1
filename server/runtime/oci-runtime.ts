/**
 * The OCI runtime binary (runc, or crun where it works) driven through its CLI with a private
 * state root. Only `create` is left to conmon; everything else is a short runc call here.
 */
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { exec, type ExecResult } from '@/server/lib/exec';
import type { CgroupMode } from '@/server/cgroup/model';
import type { OciResources } from './oci-types';

export type RuntimeName = 'runc' | 'crun';

export interface RuntimeChoice {
  name: RuntimeName;
  binary: string;
  /** Why this one, for the settings page. */
  reason: string;
}

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'pausing' | 'paused' | 'stopped';

export interface RuntimeState {
  id: string;
  pid: number;
  status: RuntimeStatus;
  bundle: string;
  created: string;
}

async function findBinary(name: string): Promise<string | null> {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * `auto` is runc wherever it is installed, on every cgroup layout: the engine's suites run on
 * runc on the hybrid development hosts, and the cgroup v2 VM proves its cgroup side on runc, so
 * runc is the runtime proven in full on both versions. crun is opt-in (CGDASH_RUNTIME=crun)
 * where it works: crun 1.8 refuses hybrid hosts ("cgroups in hybrid mode not supported"), so
 * there it is refused up front rather than failing on every create. Without runc, `auto` falls
 * back to crun where crun works.
 */
export async function chooseRuntime(
  preferred: 'auto' | RuntimeName,
  mode: CgroupMode,
  /** Where a binary is installed (PATH, then the sbin/bin dirs); null if nowhere. */
  find: (name: RuntimeName) => Promise<string | null> = findBinary,
): Promise<RuntimeChoice> {
  const crunWorks = mode !== 'hybrid';
  if (preferred === 'crun') {
    if (!crunWorks) throw new CgdashError('unavailable', 'crun cannot run containers on this host: crun 1.8 refuses cgroup hybrid mode; use runc');
    const crun = await find('crun');
    if (!crun) throw new CgdashError('unavailable', 'crun is not installed (run scripts/setup)');
    return { name: 'crun', binary: crun, reason: 'configured (CGDASH_RUNTIME=crun)' };
  }
  const runc = await find('runc');
  if (runc) return { name: 'runc', binary: runc, reason: preferred === 'runc' ? 'configured (CGDASH_RUNTIME=runc)' : 'the default runtime' };
  const crun = preferred === 'auto' && crunWorks ? await find('crun') : null;
  if (crun) return { name: 'crun', binary: crun, reason: 'runc is not installed; crun works on this host' };
  throw new CgdashError('unavailable', 'runc is not installed (run scripts/setup)');
}

function lastLine(r: ExecResult): string {
  const text = (r.stderr || r.stdout).trim();
  // runc logs as logfmt: keep the msg
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(text.split('\n').slice(-1)[0] ?? '');
  return msg ? (msg[1] ?? '').replace(/\\"/g, '"') : text.split('\n').slice(-1)[0] ?? '';
}

/**
 * The container (or its process) is gone. crun says "open pidfd: No such process" when asked to
 * signal a container whose init already exited; runc says "container not running" (busy).
 */
function isMissing(r: ExecResult): boolean {
  return /container does not exist|does not exist|not found|no such file|no such process/i.test(r.stderr + r.stdout);
}

export class OciRuntime {
  constructor(
    readonly binary: string,
    /** `--root`: the runtime's state directory (runc default /run/runc; ours is private). */
    readonly root: string,
  ) {}

  globalArgs(): string[] {
    return ['--root', this.root];
  }

  private run(args: string[]): Promise<ExecResult> {
    return exec(this.binary, [...this.globalArgs(), ...args], { timeoutMs: 60_000 });
  }

  private async ok(what: string, id: string, args: string[]): Promise<ExecResult> {
    const r = await this.run(args);
    if (r.code !== 0) {
      const detail = lastLine(r);
      const kind = isMissing(r) ? 'not_found' : /paused|not running|is stopped|cannot|not in/i.test(detail) ? 'busy' : 'internal';
      throw new CgdashError(kind, `${path.basename(this.binary)} ${what} ${id.slice(0, 12)}: ${detail}`);
    }
    return r;
  }

  /** null when the runtime does not know the container. */
  async state(id: string): Promise<RuntimeState | null> {
    const r = await this.run(['state', id]);
    if (r.code !== 0) {
      if (isMissing(r)) return null;
      throw new CgdashError('internal', `runtime state ${id.slice(0, 12)}: ${lastLine(r)}`);
    }
    const s = JSON.parse(r.stdout) as { id: string; pid: number; status: RuntimeStatus; bundle: string; created: string };
    return { id: s.id, pid: s.pid, status: s.status, bundle: s.bundle, created: s.created };
  }

  async start(id: string): Promise<void> {
    await this.ok('start', id, ['start', id]);
  }

  /** `all`: every process of the container (needed to kill a container without a private pid namespace). */
  async kill(id: string, signal: string, options: { all?: boolean } = {}): Promise<void> {
    await this.ok('kill', id, ['kill', ...(options.all ? ['--all'] : []), id, signal]);
  }

  /**
   * Whether the runtime keeps state for `id`: runc and crun both keep a directory per container
   * under their root. A stat instead of a runtime call (which costs a Go/C process start).
   */
  async knows(id: string): Promise<boolean> {
    try {
      await access(path.join(this.root, id));
      return true;
    } catch {
      return false;
    }
  }

  /** Forget the container; `force` kills it first. Missing is fine: delete is idempotent here. */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    if (!(await this.knows(id))) return;
    const r = await this.run(['delete', ...(options.force ? ['--force'] : []), id]);
    if (r.code !== 0 && !isMissing(r)) throw new CgdashError('internal', `runtime delete ${id.slice(0, 12)}: ${lastLine(r)}`);
  }

  async pause(id: string): Promise<void> {
    await this.ok('pause', id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.ok('resume', id, ['resume', id]);
  }

  /**
   * Live limits; runc also rewrites its state.json so a later `runc update` starts from these.
   * The resources go in a file, not on stdin: crun reopens /dev/stdin by path, which fails
   * (ENXIO) when stdin is a socket, as Node's piped stdio is.
   */
  async update(id: string, resources: OciResources): Promise<void> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-update-'));
    try {
      const file = path.join(dir, 'resources.json');
      await writeFile(file, JSON.stringify(resources), { mode: 0o600 });
      await this.ok('update', id, ['update', '--resources', file, id]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Host pids of the container's processes. */
  async pids(id: string): Promise<number[]> {
    const r = await this.ok('ps', id, ['ps', '--format', 'json', id]);
    const pids = JSON.parse(r.stdout || '[]') as number[] | null;
    return pids ?? [];
  }

  async list(): Promise<RuntimeState[]> {
    const r = await this.run(['list', '--format', 'json']);
    if (r.code !== 0) return [];
    return ((JSON.parse(r.stdout || 'null') as RuntimeState[] | null) ?? []).map((s) => ({
      id: s.id, pid: s.pid, status: s.status, bundle: s.bundle, created: s.created,
    }));
  }

  /** argv of `runc exec` for a process in the container (run it with exec() or node-pty). */
  execArgv(id: string, options: { cmd: string[]; tty?: boolean; env?: string[]; cwd?: string; user?: string }): string[] {
    const args = [this.binary, ...this.globalArgs(), 'exec'];
    if (options.tty) args.push('--tty');
    for (const e of options.env ?? []) args.push('--env', e);
    if (options.cwd) args.push('--cwd', options.cwd);
    if (options.user) args.push('--user', options.user);
    args.push(id, ...options.cmd);
    return args;
  }
}
