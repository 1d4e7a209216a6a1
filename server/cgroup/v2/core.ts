/**
 * cgroup v2 core files, present in every cgroup of the unified hierarchy whatever controllers are
 * enabled: cgroup.events (populated, frozen), cgroup.freeze, cgroup.kill (Linux 5.14+),
 * cgroup.controllers and cgroup.subtree_control.
 */
import { CgdashError } from '@/server/lib/errors';
import type { CoreDriver, FreezerDriver } from '../driver';
import { hasFile, readCgroupFile, readOptional, writeCgroupFile, type CgroupDir } from '../fsio';
import { parseFlatKeyed, parseNameList } from '../parse';
import { pause } from '../procs';

/** cgroup.events: "populated 0|1" and, since 5.2, "frozen 0|1". */
export interface CgroupEventsFile {
  populated: boolean;
  frozen: boolean | null;
}

export function parseCgroupEvents(text: string): CgroupEventsFile {
  const m = parseFlatKeyed(text, 'cgroup.events');
  const frozen = m.get('frozen');
  return { populated: m.get('populated') === 1n, frozen: frozen === undefined ? null : frozen === 1n };
}

export async function readEvents(d: CgroupDir): Promise<CgroupEventsFile | null> {
  const text = await readOptional(d, 'cgroup.events');
  return text === null ? null : parseCgroupEvents(text);
}

export async function readControllers(d: CgroupDir): Promise<string[]> {
  return parseNameList((await readOptional(d, 'cgroup.controllers')) ?? '');
}

export async function readSubtreeControl(d: CgroupDir): Promise<string[]> {
  return parseNameList((await readOptional(d, 'cgroup.subtree_control')) ?? '');
}

/** Enable (or with "-" disable) controllers for the children of `d`, one write for all. */
export async function writeSubtreeControl(d: CgroupDir, enable: readonly string[], disable: readonly string[] = []): Promise<void> {
  const value = [...enable.map((c) => `+${c}`), ...disable.map((c) => `-${c}`)].join(' ');
  if (value) await writeCgroupFile(d, 'cgroup.subtree_control', value);
}

/** How many 10 ms polls a freeze may take before it is reported as stuck (about 10 s). */
const SETTLE_POLLS = 1000;

export const v2Freezer: FreezerDriver = {
  name: 'v2 cgroup.freeze',

  async isFrozen(d) {
    const events = await readEvents(d);
    if (events?.frozen != null) return events.frozen;
    const freeze = await readOptional(d, 'cgroup.freeze');
    return freeze === null ? null : freeze.trim() === '1';
  },

  async setFrozen(d, frozen) {
    if ((await readOptional(d, 'cgroup.freeze')) === null) {
      throw new CgdashError('unavailable', `${d.path}: this kernel has no cgroup.freeze (Linux 5.2+)`);
    }
    await writeCgroupFile(d, 'cgroup.freeze', frozen ? '1' : '0');
    // The kernel freezes asynchronously; cgroup.events says when every task has stopped.
    for (let i = 0; i < SETTLE_POLLS; i++) {
      const events = parseCgroupEvents(await readCgroupFile(d, 'cgroup.events'));
      if (events.frozen === null || events.frozen === frozen) return;
      await pause(10);
    }
    if (frozen) await writeCgroupFile(d, 'cgroup.freeze', '0');
    throw new CgdashError('busy', `${d.path}: the kernel did not finish ${frozen ? 'freezing' : 'thawing'} in time${frozen ? '; thawed it again' : ''}`);
  },
};

export const v2Core: CoreDriver = {
  async populated(d) {
    return (await readEvents(d))?.populated ?? null;
  },

  async kill(d) {
    // cgroup.kill is write-only (reading it is EINVAL), so look for it rather than read it.
    if (!(await hasFile(d, 'cgroup.kill'))) return false;
    await writeCgroupFile(d, 'cgroup.kill', '1');
    return true;
  },
};
