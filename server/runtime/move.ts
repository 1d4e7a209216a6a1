import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Limits, LimitsPatch } from '@/server/cgroup/model';
import { CgdashError } from '@/server/lib/errors';

/** The patch that gives a new cgroup exactly the limits read from another (what is set). */
export function patchOfLimits(l: Limits): LimitsPatch {
  const patch: LimitsPatch = {};
  if (l.cpu) {
    if (l.cpu.maxQuotaUs !== null) {
      patch.cpuMaxQuotaUs = l.cpu.maxQuotaUs;
      patch.cpuMaxPeriodUs = l.cpu.maxPeriodUs;
    }
    if (l.cpu.weight !== null) patch.cpuWeight = l.cpu.weight;
  }
  if (l.cpuset?.cpus) patch.cpusetCpus = l.cpuset.cpus;
  if (l.cpuset?.mems) patch.cpusetMems = l.cpuset.mems;
  if (l.memory) {
    if (l.memory.max !== null) patch.memoryMax = l.memory.max;
    if (l.memory.high !== null) patch.memoryHigh = l.memory.high;
    if (l.memory.swapMax !== null && l.memory.max !== null) patch.memorySwapMax = l.memory.swapMax;
  }
  if (l.io?.max.length) patch.ioMax = l.io.max;
  if (l.pids?.max !== null && l.pids?.max !== undefined) patch.pidsMax = l.pids.max;
  return patch;
}

/**
 * Point runc's record of a container at its new cgroup. runc keeps the cgroup of each
 * hierarchy in <root>/<id>/state.json (cgroup_paths, config.cgroups.path) and uses them for
 * pause, update, kill --all and delete; after the processes moved, they must name the new one.
 * The paths end in the container id, which is 64 hex digits: the replacement cannot hit
 * anything else. Written to a temporary file and renamed, as runc itself does.
 */
export async function retargetRuncState(runtimeRoot: string, id: string, fromPath: string, toPath: string): Promise<void> {
  const file = path.join(runtimeRoot, id, 'state.json');
  const text = await readFile(file, 'utf8');
  const from = fromPath.replace(/^\//, '');
  const to = toPath.replace(/^\//, '');
  if (!from.endsWith(id) || !to.endsWith(id)) throw new CgdashError('internal', `cgroup paths ${fromPath} -> ${toPath} do not end in the container id`);
  const next = text.split(from).join(to);
  if (next === text) throw new CgdashError('internal', `runc's state of ${id.slice(0, 12)} does not mention ${fromPath}`);
  JSON.parse(next); // still a valid state
  const tmp = `${file}.cgdash-${process.pid}`;
  await writeFile(tmp, next, { mode: 0o600 });
  await rename(tmp, file);
}
