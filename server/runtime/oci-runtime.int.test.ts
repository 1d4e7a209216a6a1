/**
 * Which OCI runtime works on this host. The runtime choice says crun is unusable on a hybrid
 * cgroup host; this checks the claim against crun itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRoot, type TestRoot } from '@/server/cgroup/testing';
import { exec } from '@/server/lib/exec';
import { buildOciConfig } from './oci';
import { chooseRuntime } from './oci-runtime';
import { parseContainerSpec } from './spec';
import { hostCapabilities, hostNofileLimit } from './host-refs';
import { sharedBusyboxLayout, removeSharedImages } from './testing';
import { ImageStore } from './images/store';

let root: TestRoot;
let dir: string;

beforeAll(async () => {
  root = await createTestRoot();
  dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-rt-'));
});

afterAll(async () => {
  await exec('crun', ['--root', path.join(dir, 'crun'), 'delete', '--force', 'probe']);
  await exec('runc', ['--root', path.join(dir, 'runc'), 'delete', '--force', 'probe']);
  await root?.cleanup();
  await rm(dir, { recursive: true, force: true });
  await removeSharedImages();
});

async function bundle(): Promise<string> {
  const store = new ImageStore(await sharedBusyboxLayout());
  const b = path.join(dir, `bundle-${Math.random().toString(36).slice(2)}`);
  await store.unpack('busybox', b);
  const config = buildOciConfig(parseContainerSpec({ image: 'busybox', command: ['true'] }), {}, {
    cgroupsPath: `${root.name}/probe`,
    hostname: 'probe',
    namespacePaths: {},
    cgroupVersion: 1,
    nofile: await hostNofileLimit(),
    availableCaps: await hostCapabilities(),
  });
  await writeFile(path.join(b, 'config.json'), JSON.stringify(config));
  return b;
}

describe('runtime choice on this host', () => {
  it('is hybrid here, so auto picks runc and an explicit crun is refused', async () => {
    const mode = root.detection.mode;
    expect(mode).toBe('hybrid');
    expect((await chooseRuntime('auto', mode)).name).toBe('runc');
    await expect(chooseRuntime('crun', mode)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/hybrid/) });
  });

  it('crun itself refuses a container here, runc runs the same bundle', async () => {
    const b = await bundle();
    const crun = await exec('crun', ['--root', path.join(dir, 'crun'), 'run', '--bundle', b, 'probe'], { timeoutMs: 30_000 });
    expect(crun.code).not.toBe(0);
    expect(crun.stderr).toMatch(/hybrid mode not supported/);
    const runc = await exec('runc', ['--root', path.join(dir, 'runc'), 'run', '--bundle', b, 'probe'], { timeoutMs: 30_000 });
    expect(runc.code).toBe(0);
  });
});
