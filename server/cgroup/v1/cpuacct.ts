/**
 * cgroup v1 cpuacct controller: CPU time used, for the v2 model's cpu.stat usage fields.
 * Both files are hierarchical, as v2's cpu.stat is.
 */
import type { ControllerDriver } from '../driver';
import { readOptional } from '../fsio';
import type { CpuUsage } from '../model';
import { parseFlatKeyed, parseUint } from '../parse';

/**
 * cpuacct.stat counts in USER_HZ ticks. USER_HZ is the fixed user-space ABI value 100 on every
 * architecture Linux runs containers on (it is not the kernel's CONFIG_HZ).
 */
export const USER_HZ = 100n;

export function ticksToUsec(ticks: bigint): bigint {
  return (ticks * 1_000_000n) / USER_HZ;
}

export const v1CpuacctDriver: ControllerDriver = {
  name: 'v1 cpuacct',
  patchKeys: [],
  usageAreas: ['cpu'],

  async readUsage(d) {
    const usage = await readOptional(d, 'cpuacct.usage');
    if (usage === null) return {};
    const cpu: Partial<CpuUsage> = { usageUsec: parseUint(usage, 'cpuacct.usage') / 1000n }; // ns → µs
    const statText = await readOptional(d, 'cpuacct.stat');
    if (statText !== null) {
      const stat = parseFlatKeyed(statText, 'cpuacct.stat');
      const user = stat.get('user');
      const system = stat.get('system');
      if (user !== undefined) cpu.userUsec = ticksToUsec(user);
      if (system !== undefined) cpu.systemUsec = ticksToUsec(system);
    }
    return { cpu };
  },
};
