/** cgroup v2 pids controller: pids.max and pids.current. */
import type { ControllerDriver } from '../driver';
import { readOptional } from '../fsio';
import { parseNumberLimit, parseUint, toSafeNumber } from '../parse';

export const v2PidsDriver: ControllerDriver = {
  name: 'v2 pids',
  patchKeys: ['pidsMax'],
  usageAreas: ['pids'],

  async readLimits(d) {
    const max = await readOptional(d, 'pids.max');
    return max === null ? {} : { pids: { max: parseNumberLimit(max, 'pids.max') } };
  },

  async readUsage(d) {
    const current = await readOptional(d, 'pids.current');
    return current === null ? {} : { pids: { current: toSafeNumber(parseUint(current, 'pids.current'), 'pids.current') } };
  },

  async apply(d, patch, ctx) {
    if (patch.pidsMax !== undefined) await ctx.journal.write(d, 'pids.max', patch.pidsMax === null ? 'max' : String(patch.pidsMax), { field: 'pidsMax' });
  },
};
