/**
 * cgroup v2 cpuset controller: cpuset.cpus/mems (empty = inherit) and their .effective files.
 */
import { CgdashError } from '@/server/lib/errors';
import type { ControllerDriver } from '../driver';
import { readOptional, type CgroupDir } from '../fsio';
import type { CpusetLimits, LimitsPatch } from '../model';
import { checkCpusetSubset } from '../validate';

/** A cpu/node list file; "" (inherit, or nothing set) becomes null. */
export function listOrNull(text: string | null): string | null {
  const t = text?.trim() ?? '';
  return t === '' ? null : t;
}

async function parentEffective(parent: CgroupDir | null, file: string): Promise<string | null> {
  return parent ? listOrNull(await readOptional(parent, file)) : null;
}

export const v2CpusetDriver: ControllerDriver = {
  name: 'v2 cpuset',
  patchKeys: ['cpusetCpus', 'cpusetMems'],
  usageAreas: [],

  async readLimits(d) {
    const cpus = await readOptional(d, 'cpuset.cpus');
    if (cpus === null) return {};
    const cpuset: CpusetLimits = {
      cpus: listOrNull(cpus),
      mems: listOrNull(await readOptional(d, 'cpuset.mems')),
      effectiveCpus: listOrNull(await readOptional(d, 'cpuset.cpus.effective')),
      effectiveMems: listOrNull(await readOptional(d, 'cpuset.mems.effective')),
    };
    return { cpuset };
  },

  async check(_d, patch, ctx) {
    // v2 would accept a list outside the parent's and silently use the intersection; refuse it
    // instead, so that what the admin typed is what the processes get.
    for (const [field, file] of [['cpusetCpus', 'cpuset.cpus.effective'], ['cpusetMems', 'cpuset.mems.effective']] as const) {
      const wanted = patch[field];
      if (wanted == null || !ctx.parent) continue;
      const effective = await parentEffective(ctx.parent, file);
      if (effective === null) {
        throw new CgdashError('invalid', `${field}: the parent ${ctx.parent.path} has no ${file}`, { field });
      }
      checkCpusetSubset(field, wanted, effective, ctx.parent.path);
    }
  },

  async apply(d, patch: LimitsPatch, ctx) {
    if (patch.cpusetCpus !== undefined) await ctx.journal.write(d, 'cpuset.cpus', patch.cpusetCpus ?? '', { field: 'cpusetCpus' });
    if (patch.cpusetMems !== undefined) await ctx.journal.write(d, 'cpuset.mems', patch.cpusetMems ?? '', { field: 'cpusetMems' });
  },
};
