/**
 * The OCI runtime binary (runc, or crun where it works) driven through its CLI with a private
 * state root. Only `create` is left to conmon; everything else is a short runc call here.
 */
import { access, constants } from 'node:fs/promises';
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
 * crun 1.8 refuses hybrid hosts ("cgroups in hybrid mode not supported"), so on hybrid `auto`
 * means runc and an explicit `crun` is refused up front rather than failing on every create.
 */
export async function chooseRuntime(preferred: 'auto' | RuntimeName, mode: CgroupMode): Promise<RuntimeChoice> {
  const wantCrun = preferred === 'crun' || (preferred === 'auto' && mode !== 'hybrid');
  if (preferred === 'crun' && mode === 'hybrid') {
    throw new CgdashError('unavailable', 'crun cannot run containers on this host: crun 1.8 refuses cgroup hybrid mode; use runc');
  }
  if (wantCrun) {
    const crun = await findBinary('crun');
    if (crun) return { name: 'crun', binary: crun, reason: preferred === 'crun' ? 'configured' : `cgroup ${mode}: crun is the faster runtime` };
    if (preferred === 'crun') throw new CgdashError('unavailable', 'crun is not installed (run scripts/setup)');
  }
  const runc = await findBinary('runc');
  if (!runc) throw new CgdashError('unavailable', 'runc is not installed (run scripts/setup)');
  return { name: 'runc', binary: runc, reason: mode === 'hybrid' ? 'cgroup hybrid mode: crun 1.8 refuses it' : 'configured' };
}

function lastLine(r: ExecResult): string {
  const text = (r.stderr || r.stdout).trim();
  // runc logs as logfmt: keep the msg
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(text.split('\n').slice(-1)[0] ?? '');
  return msg ? (msg[1] ?? '').replace(/\\"/g, '"') : text.split('\n').slice(-1)[0] ?? '';
}

function isMissing(r: ExecResult): boolean {
  return /container does not exist|does not exist|not found|no such file/i.test(r.stderr + r.stdout);
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

  private run(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return exec(this.binary, [...this.globalArgs(), ...args], { timeoutMs: options.timeoutMs ?? 60_000, input: options.input });
  }

  private async ok(what: string, id: string, args: string[], input?: string): Promise<ExecResult> {
    const r = await this.run(args, { input });
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

  /** Live limits; runc also rewrites its state.json so a later `runc update` starts from these. */
  async update(id: string, resources: OciResources): Promise<void> {
    await this.ok('update', id, ['update', '--resources', '-', id], JSON.stringify(resources));
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
