import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError, kernelFileError } from '@/server/lib/errors';
import { mapConcurrent } from './concurrency';
import { readUserNames } from './passwd';
import { isPid, listPids } from './pids';
import { DEFAULT_CLOCK_TICKS_PER_SEC, readProcess, type ProcessInfo, type ReadProcessContext } from './process';
import { parseBootTimeSec } from './stat';

export interface ProcfsOptions {
  /** Where procfs is mounted; a fixture tree in unit tests. */
  procRoot?: string;
  passwdPath?: string;
  clockTicksPerSec?: number;
}

const SCAN_CONCURRENCY = 32;

export async function processContext(options: ProcfsOptions = {}): Promise<ReadProcessContext> {
  const procRoot = options.procRoot ?? '/proc';
  const statFile = path.join(procRoot, 'stat');
  const [statText, userNames] = await Promise.all([
    readFile(statFile, 'utf8').catch((err: unknown) => {
      throw kernelFileError(err, { action: 'read', file: statFile });
    }),
    readUserNames(options.passwdPath),
  ]);
  return {
    procRoot,
    userNames,
    bootTimeSec: parseBootTimeSec(statText),
    clockTicksPerSec: options.clockTicksPerSec ?? DEFAULT_CLOCK_TICKS_PER_SEC,
  };
}

/** Every process on the host, by ascending pid; those that exit mid-scan are left out. */
export async function listProcesses(options: ProcfsOptions = {}): Promise<ProcessInfo[]> {
  const ctx = await processContext(options);
  const pids = await listPids(ctx.procRoot);
  const processes = await mapConcurrent(pids, SCAN_CONCURRENCY, (pid) => readProcess(pid, ctx));
  return processes.filter((p): p is ProcessInfo => p !== null);
}

/** One process, or null when there is none with that pid. */
export async function getProcess(pid: number, options: ProcfsOptions = {}): Promise<ProcessInfo | null> {
  if (!isPid(pid)) throw new CgdashError('invalid', `pid: ${String(pid)} is not a process id`, { field: 'pid', value: String(pid) });
  return readProcess(pid, await processContext(options));
}
