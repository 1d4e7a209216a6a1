/**
 * conmon's exit files: `<exit-dir>/<id>` holds the exit code (128+N for a signal) once the
 * container is gone; `<persist-dir>/oom` exists when the kernel OOM-killed in its memory cgroup.
 * ExitWatcher turns the exit dir into events: fs.watch for speed, a poll because inotify can
 * miss events (a watch set up after the write, an overflowed queue).
 */
import { watch, type FSWatcher } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoOf } from '@/server/lib/errors';
import { containerIdPattern } from './paths';

/** The exit code, or null when there is no (complete) exit file yet. */
export async function readExitCode(exitFile: string): Promise<number | null> {
  try {
    const text = (await readFile(exitFile, 'utf8')).trim();
    if (!/^-?\d+$/.test(text)) return null; // being written
    return Number(text);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

export async function oomMarked(persistDir: string): Promise<boolean> {
  try {
    await access(path.join(persistDir, 'oom'));
    return true;
  } catch {
    return false;
  }
}

export class ExitWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly seen = new Set<string>();
  private closed = false;

  constructor(
    private readonly exitDir: string,
    /** Ids whose exit files matter (running containers); polled each tick. */
    private readonly watched: () => Iterable<string>,
    private readonly onExit: (id: string) => void,
    private readonly pollMs = 1000,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.exitDir, { recursive: true });
    try {
      this.watcher = watch(this.exitDir, (_event, file) => {
        if (file && containerIdPattern.test(file)) void this.check(file);
      });
      this.watcher.on('error', () => undefined); // the poll still runs
    } catch {
      this.watcher = null;
    }
    const tick = () => {
      if (this.closed) return;
      void this.poll().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.pollMs);
      });
    };
    this.timer = setTimeout(tick, this.pollMs);
    this.timer.unref();
  }

  /** Check one id now (after a start, so an exit before the watch is not lost). */
  async check(id: string): Promise<void> {
    if (this.closed) return;
    const code = await readExitCode(path.join(this.exitDir, id)).catch(() => null);
    if (code === null) {
      this.seen.delete(id);
      return;
    }
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.onExit(id);
  }

  /** A restarted container gets a fresh exit file: let its next exit be seen. */
  forget(id: string): void {
    this.seen.delete(id);
  }

  private async poll(): Promise<void> {
    for (const id of [...this.watched()]) await this.check(id);
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }
}
