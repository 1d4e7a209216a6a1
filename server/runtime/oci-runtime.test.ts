import { describe, expect, it } from 'vitest';
import type { CgroupMode } from '@/server/cgroup/model';
import { chooseRuntime, type RuntimeName } from './oci-runtime';

/** A host with these runtimes installed under /usr/bin. */
function installed(...names: RuntimeName[]) {
  return async (name: RuntimeName) => (names.includes(name) ? `/usr/bin/${name}` : null);
}

describe('chooseRuntime', () => {
  it('auto is runc on every cgroup layout when runc is installed', async () => {
    for (const mode of ['v1', 'v2', 'hybrid'] as CgroupMode[]) {
      expect(await chooseRuntime('auto', mode, installed('runc', 'crun'))).toMatchObject({ name: 'runc', binary: '/usr/bin/runc' });
    }
  });

  it('auto falls back to crun without runc, except on hybrid hosts, which crun refuses', async () => {
    expect(await chooseRuntime('auto', 'v2', installed('crun'))).toMatchObject({ name: 'crun', binary: '/usr/bin/crun' });
    expect(await chooseRuntime('auto', 'v1', installed('crun'))).toMatchObject({ name: 'crun' });
    await expect(chooseRuntime('auto', 'hybrid', installed('crun'))).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/runc is not installed/) });
    await expect(chooseRuntime('auto', 'v2', installed())).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('an explicit crun is taken where crun works, refused on hybrid hosts or when missing', async () => {
    expect(await chooseRuntime('crun', 'v2', installed('runc', 'crun'))).toMatchObject({ name: 'crun', reason: expect.stringMatching(/CGDASH_RUNTIME=crun/) });
    await expect(chooseRuntime('crun', 'hybrid', installed('runc', 'crun'))).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/hybrid/) });
    await expect(chooseRuntime('crun', 'v2', installed('runc'))).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/crun is not installed/) });
  });

  it('an explicit runc never falls back to crun', async () => {
    expect(await chooseRuntime('runc', 'v2', installed('runc', 'crun'))).toMatchObject({ name: 'runc', reason: expect.stringMatching(/CGDASH_RUNTIME=runc/) });
    await expect(chooseRuntime('runc', 'v2', installed('crun'))).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/runc is not installed/) });
  });
});
