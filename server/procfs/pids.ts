import { readdir } from 'node:fs/promises';
import { kernelFileError } from '@/server/lib/errors';

/**
 * PIDs of all processes (thread-group leaders) under procRoot, ascending. Reading the /proc
 * directory lists only thread-group leaders; threads live under /proc/PID/task.
 */
export async function listPids(procRoot = '/proc'): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(procRoot);
  } catch (err) {
    throw kernelFileError(err, { action: 'read', file: procRoot });
  }
  const pids: number[] = [];
  for (const name of names) {
    if (/^[1-9][0-9]*$/.test(name)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

/** A pid as the kernel accepts it: a positive integer. */
export function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
