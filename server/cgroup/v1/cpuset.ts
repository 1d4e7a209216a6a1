/**
 * cgroup v1 cpuset controller. Unlike v2 an empty cpuset.cpus/mems does not inherit: a task
 * cannot join such a cgroup (ENOSPC), so new cgroups get their parent's lists (as runc does),
 * and "null" (inherit) is written as the parent's current list.
 */
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver, WriteContext } from '../driver';
import { readOptional, writeCgroupFile, type CgroupDir } from '../fsio';
import type { CpusetLimits } from '../model';
import { checkCpusetSubset } from '../validate';

function listOrNull(text: string | null): string | null {
  const t = text?.trim() ?? '';
  return t === '' ? null : t;
}

async function parentList(ctx: WriteContext, file: string, field: string): Promise<string> {
  const value = ctx.parent ? listOrNull(await readOptional(ctx.parent, file)) : null;
  if (value === null) {
    throw new CgdashError('invalid', `${field}: the parent ${ctx.parent?.path ?? '(none)'} has no ${file} to inherit`, { field });
  }
  return value;
}

const files = [
  { field: 'cpusetCpus', file: 'cpuset.cpus', effective: 'cpuset.effective_cpus' },
  { field: 'cpusetMems', file: 'cpuset.mems', effective: 'cpuset.effective_mems' },
] as const;

export const v1CpusetDriver: ControllerDriver = {
  name: 'v1 cpuset',
  patchKeys: ['cpusetCpus', 'cpusetMems'],
  usageAreas: [],

  async readLimits(d) {
    const cpus = await readOptional(d, 'cpuset.cpus');
    if (cpus === null) return {};
    const cpuset: CpusetLimits = {
      cpus: listOrNull(cpus),
      mems: listOrNull(await readOptional(d, 'cpuset.mems')),
      effectiveCpus: listOrNull(await readOptional(d, 'cpuset.effective_cpus')),
      effectiveMems: listOrNull(await readOptional(d, 'cpuset.effective_mems')),
    };
    return { cpuset };
  },

  async check(_d, patch, ctx) {
    for (const f of files) {
      const wanted = patch[f.field];
      if (wanted === undefined || !ctx.parent) continue;
      const effective = await parentList(ctx, f.effective, f.field);
      if (wanted !== null) checkCpusetSubset(f.field, wanted, effective, ctx.parent.path);
    }
  },

  async apply(d, patch, ctx) {
    for (const f of files) {
      const wanted = patch[f.field];
      if (wanted === undefined) continue;
      await ctx.journal.write(d, f.file, wanted ?? (await parentList(ctx, f.file, f.field)), { field: f.field });
    }
  },

  async initNew(d: CgroupDir, ctx) {
    for (const f of files) {
      const own = await readOptional(d, f.file);
      if (own === null || listOrNull(own) !== null) continue;
      await writeCgroupFile(d, f.file, await parentList(ctx, f.file, f.field), f.field);
    }
  },
};
