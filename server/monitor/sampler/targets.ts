/** Checks of `setTargets` and `sample` input, shared by both samplers so they refuse the same things. */
import { CgdashError } from '@/server/lib/errors';
import type { SampleTarget, SampleTargetDir } from './plan';

const U32_MAX = 0xffffffff;

/** A `sample` skip argument: absent, or one field mask per target of the current set. */
export function checkSkip(skip: Uint32Array | undefined, targets: number, where: string): void {
  if (skip === undefined) return;
  if (!(skip instanceof Uint32Array)) throw new CgdashError('invalid', `${where}: skip must be a Uint32Array`, { field: 'skip' });
  if (skip.length !== targets) {
    throw new CgdashError('invalid', `${where}: skip has ${skip.length} masks for ${targets} targets`, { field: 'skip', value: String(skip.length) });
  }
}

export function checkTargets(targets: readonly SampleTarget[]): void {
  if (!Array.isArray(targets)) throw new CgdashError('invalid', 'setTargets: targets must be an array', { field: 'targets' });
  const seen = new Set<number>();
  targets.forEach((t, i) => {
    const where = `targets[${i}]`;
    if (!Number.isInteger(t?.key) || t.key < 0 || t.key > U32_MAX) {
      throw new CgdashError('invalid', `${where}.key must be an integer from 0 to ${U32_MAX}`, { field: 'key' });
    }
    if (seen.has(t.key)) throw new CgdashError('invalid', `setTargets: key ${t.key} is given twice`, { field: 'key', value: String(t.key) });
    seen.add(t.key);
    const dirs: readonly SampleTargetDir[] = t.dirs;
    if (!Array.isArray(dirs)) throw new CgdashError('invalid', `${where}.dirs must be an array`, { field: 'dirs' });
    dirs.forEach((d: SampleTargetDir, j: number) => {
      const at = `${where}.dirs[${j}]`;
      if (typeof d?.dir !== 'string' || !d.dir.startsWith('/') || d.dir.includes('\0')) {
        throw new CgdashError('invalid', `${at}.dir must be an absolute path`, { field: 'dir', value: String(d?.dir) });
      }
      if (d.version !== 1 && d.version !== 2) throw new CgdashError('invalid', `${at}.version must be 1 or 2`, { field: 'version' });
      if (!Array.isArray(d.controllers) || !d.controllers.every((c: unknown) => typeof c === 'string')) {
        throw new CgdashError('invalid', `${at}.controllers must be a list of names`, { field: 'controllers' });
      }
    });
  });
}
