/**
 * cgroup v1 freezer: freezer.state THAWED / FREEZING / FROZEN. The root cgroup has no state file.
 */
import { CgdashError } from '@/server/lib/errors';
import type { FreezerDriver } from '../driver';
import { readCgroupFile, readOptional, writeCgroupFile } from '../fsio';
import { pause } from '../procs';

export type FreezerState = 'THAWED' | 'FREEZING' | 'FROZEN';

export function parseFreezerState(text: string): FreezerState {
  const t = text.trim();
  if (t === 'THAWED' || t === 'FREEZING' || t === 'FROZEN') return t;
  throw new CgdashError('internal', `freezer.state: unexpected ${JSON.stringify(t)}`);
}

/** How many 10 ms polls a freeze may take before it is reported as stuck (about 10 s). */
const SETTLE_POLLS = 1000;

export const v1Freezer: FreezerDriver = {
  name: 'v1 freezer',

  async isFrozen(d) {
    const state = await readOptional(d, 'freezer.state');
    return state === null ? null : parseFreezerState(state) === 'FROZEN';
  },

  async setFrozen(d, frozen) {
    if ((await readOptional(d, 'freezer.state')) === null) {
      throw new CgdashError('invalid', `${d.path} has no freezer.state (the root cgroup cannot be frozen)`);
    }
    const target: FreezerState = frozen ? 'FROZEN' : 'THAWED';
    for (let i = 0; i < SETTLE_POLLS; i++) {
      // A freeze can stay in FREEZING while a task is in an uninterruptible sleep; writing
      // FROZEN again retries the tasks that did not stop (what runc does).
      await writeCgroupFile(d, 'freezer.state', target);
      if (parseFreezerState(await readCgroupFile(d, 'freezer.state')) === target) return;
      await pause(10);
    }
    if (frozen) await writeCgroupFile(d, 'freezer.state', 'THAWED');
    throw new CgdashError('busy', `${d.path}: the kernel did not finish ${frozen ? 'freezing' : 'thawing'} in time${frozen ? '; thawed it again' : ''}`);
  },
};
