/**
 * The built-in `busybox` image, made offline from Debian's busybox-static so a fresh host can
 * run a container without a registry: one layer with /bin/busybox, a symlink per applet, a
 * minimal /etc/passwd and /etc/group and a sticky /tmp; config Cmd ["sh"] and a PATH.
 */
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { exec, execOk } from '@/server/lib/exec';
import { defaultPath } from '../oci';

export const builtinBusyboxRef = 'busybox:latest';
export const hostBusybox = '/bin/busybox';

async function busyboxVersion(binary: string): Promise<string> {
  const r = await exec(binary, []);
  return /BusyBox (v[\w.+~-]+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

/** Lay out the root file system in `dir` (which must exist and be empty). */
export async function buildBusyboxRootfs(dir: string, binary = hostBusybox): Promise<void> {
  const applets = (await execOk(binary, ['--list'])).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  for (const d of ['bin', 'etc', 'root', 'tmp', 'dev', 'proc', 'sys', 'var', 'home']) await mkdir(path.join(dir, d));
  await copyFile(binary, path.join(dir, 'bin', 'busybox'));
  await chmod(path.join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of applets) {
    // applet names come from busybox itself; still, never let one name a path
    if (applet === 'busybox' || !/^[\w.[-]+$/.test(applet)) continue;
    await symlink('busybox', path.join(dir, 'bin', applet));
  }
  await writeFile(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(path.join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
  await chmod(path.join(dir, 'tmp'), 0o1777);
  await chmod(path.join(dir, 'root'), 0o700);
}

/**
 * Build the image into the layout under `ref`. On any failure the tag is removed again, so a
 * half-made image is never listed.
 */
export async function buildBusyboxImage(layout: string, ref = builtinBusyboxRef, binary = hostBusybox): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'cgdash-busybox-'));
  const image = `${layout}:${ref}`;
  let tagged = false;
  try {
    const rootfs = path.join(work, 'rootfs');
    await mkdir(rootfs);
    await buildBusyboxRootfs(rootfs, binary);
    const version = await busyboxVersion(binary);
    await execOk('umoci', ['new', '--image', image]);
    tagged = true;
    await execOk('umoci', ['insert', '--image', image, '--history.author', 'cgdash', '--history.created_by', `cgdash: busybox-static ${version} from ${binary}`, rootfs, '/']);
    await execOk('umoci', ['config', '--image', image, '--no-history', '--author', 'cgdash', '--config.cmd', 'sh', '--config.env', defaultPath]);
  } catch (err) {
    if (tagged) await exec('umoci', ['rm', '--image', image]);
    throw new CgdashError('unavailable', `building the built-in busybox image failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
