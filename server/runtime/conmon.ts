/**
 * Start a container's monitor. conmon runs `runc create`, keeps the container's stdio (into a
 * k8s-file log), waits for the container and writes its exit code to `<exit-dir>/<id>` — so
 * containers and their logs outlive this server.
 *
 * How it is started (the simplest correct form of what podman does):
 *  - spawned detached with stdio to /dev/null except fd 3, a pipe named by `_OCI_SYNCPIPE=3`;
 *  - conmon forks: the parent writes `--conmon-pidfile` and exits at once (we reap it), the
 *    child calls setsid(), so it belongs to no session or process group of ours;
 *  - after `runc create` the child writes one JSON line to the sync pipe: `{"data": <pid>}`, or
 *    `{"data": -1, "message": "<runc's stderr>"}` when create failed. We read that line and close
 *    our end; conmon only writes there again for exec sessions, which we do not use.
 *  - `_OCI_STARTPIPE` (podman's hook to move conmon into a cgroup before it forks) is not used:
 *    runc, conmon's child, resolves a relative cgroupsPath against its own cgroup, so conmon must
 *    still be in the server's cgroup when it runs `runc create`. The caller moves the conmon
 *    daemon into its own cgroup after create instead (see launch.ts).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { CgdashError } from '@/server/lib/errors';

export interface ConmonOptions {
  conmon?: string;
  runtime: string;
  runtimeArgs: string[];
  id: string;
  name: string;
  bundle: string;
  containerPidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  terminal: boolean;
  stdin: boolean;
  /** conmon's own debug output level: error, warn, info, debug. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  timeoutMs?: number;
}

export interface ConmonStarted {
  containerPid: number;
  conmonPid: number;
}

export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.id,
    '-n', o.name,
    '-r', o.runtime,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`,
    '--exit-dir', o.exitDir,
    '--persist-dir', o.persistDir,
    '--socket-dir-path', o.socketDir,
    '--log-level', o.logLevel ?? 'error',
  ];
  for (const a of o.runtimeArgs) args.push('--runtime-arg', a);
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  return args;
}

interface SyncMessage {
  data: number;
  message?: string;
}

/** Run conmon and wait for runc create to finish; the container is then in state `created`. */
export async function startConmon(o: ConmonOptions): Promise<ConmonStarted> {
  await mkdir(o.exitDir, { recursive: true });
  await mkdir(o.socketDir, { recursive: true });
  await mkdir(o.persistDir, { recursive: true });
  const child = spawn(o.conmon ?? 'conmon', conmonArgs(o), {
    detached: true,
    // conmon writes its "oom" marker into its working directory too
    cwd: o.persistDir,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3' },
  });
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const timeoutMs = o.timeoutMs ?? 60_000;

  const message = await new Promise<SyncMessage>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const finish = (err: Error | null, msg?: SyncMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sync.destroy();
      if (err) reject(err);
      else resolve(msg as SyncMessage);
    };
    const timer = setTimeout(() => finish(new CgdashError('internal', `conmon for ${o.id.slice(0, 12)}: no answer from runtime create after ${timeoutMs} ms`)), timeoutMs);
    child.on('error', (e) => finish(new CgdashError('unavailable', `conmon could not be started: ${e.message}`, { cause: e })));
    sync.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(null, JSON.parse(buffered.slice(0, nl)) as SyncMessage);
      } catch (e) {
        finish(new CgdashError('internal', `conmon sent an unreadable sync message: ${buffered.slice(0, 200)}`, { cause: e }));
      }
    });
    // The sync pipe closes without a message when conmon dies before create (bad arguments ...).
    sync.on('end', () => {
      const why = Buffer.concat(stderr).toString('utf8').split('\n').filter((l) => l && !/oom_score_adj/.test(l)).join(' ');
      finish(new CgdashError('internal', `conmon for ${o.id.slice(0, 12)} exited before the container was created${why ? `: ${why}` : ''}`));
    });
  });
  // the first conmon process exits right after its fork: reap it, never keep the server alive for it
  child.unref();
  if (message.data < 0) {
    const detail = (message.message ?? '').trim().split('\n').map((l) => /msg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? l).filter(Boolean).join('; ');
    throw new CgdashError('invalid', `the runtime could not create the container: ${detail || `exit ${-message.data}`}`);
  }
  const conmonPid = Number((await readFile(o.conmonPidFile, 'utf8')).trim());
  return { containerPid: message.data, conmonPid };
}
