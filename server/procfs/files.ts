import { readFile, readlink, stat } from 'node:fs/promises';
import { errnoOf, kernelFileError } from '@/server/lib/errors';

/**
 * A process can exit between listing /proc and reading its files: the kernel then answers
 * ENOENT (directory gone) or ESRCH (directory still open, task gone). Both mean "skip it".
 */
export function isVanished(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Contents of a /proc file as text, or null when the process has vanished. */
export async function readProcText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isVanished(err)) return null;
    throw kernelFileError(err, { action: 'read', file });
  }
}

/** Contents of a /proc file as bytes (cmdline holds NULs), or null when the process has vanished. */
export async function readProcBytes(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if (isVanished(err)) return null;
    throw kernelFileError(err, { action: 'read', file });
  }
}

/**
 * Target of a /proc symlink. null when the process vanished or the link is hidden from us
 * (EACCES: /proc/PID/ns/* of a process we may not ptrace-read).
 */
export async function readProcLink(file: string): Promise<string | null> {
  try {
    return await readlink(file);
  } catch (err) {
    if (isVanished(err) || errnoOf(err) === 'EACCES') return null;
    throw kernelFileError(err, { action: 'read', file });
  }
}

/** Owner uid of a /proc/PID directory (the task's effective uid, or 0 when it is not dumpable). */
export async function procDirOwner(dir: string): Promise<number | null> {
  try {
    return (await stat(dir)).uid;
  } catch (err) {
    if (isVanished(err)) return null;
    throw kernelFileError(err, { action: 'read', file: dir });
  }
}
