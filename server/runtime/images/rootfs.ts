/**
 * A container's rootfs: an overlay on the image's cached unpack (the lower layer, shared by
 * every container of that image), with the container's own changes in the bundle's upper dir.
 * Milliseconds instead of a copy of the whole tree, and no disk per container until it writes.
 * Where overlayfs cannot be used (the data dir on a filesystem overlay refuses as upper, e.g.
 * overlayfs itself), the unpack is copied as before.
 */
import { chmod, copyFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { exec, execOk } from '@/server/lib/exec';

/** Where a bundle keeps its overlay's upper and work dirs (beside rootfs, not inside). */
const overlayDir = (bundle: string) => path.join(bundle, 'overlay');

/** overlayfs options are a comma- and colon-separated list: a path with those cannot be given. */
function checkOverlayPath(p: string): string {
  if (/[,:\\\n]/.test(p)) throw new CgdashError('unavailable', `overlay cannot use ${p}: the path has a comma, colon or backslash`);
  return p;
}

export async function isMounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[4] === dir);
}

/**
 * Make `bundle` from the cached unpack `cached` (umoci's bundle: rootfs, config, mtree):
 * metadata copied, rootfs mounted as an overlay. Returns how the rootfs was made.
 */
export async function makeBundle(cached: string, bundle: string): Promise<'overlay' | 'copy'> {
  await mkdir(bundle, { recursive: true, mode: 0o711 });
  // umoci's metadata beside the rootfs: a few regular files (config, umoci.json, the mtree).
  for (const entry of await readdir(cached, { withFileTypes: true })) {
    if (entry.name === 'rootfs') continue;
    if (!entry.isFile()) {
      await execOk('cp', ['-a', path.join(cached, entry.name), bundle]);
      continue;
    }
    await copyFile(path.join(cached, entry.name), path.join(bundle, entry.name));
    await chmod(path.join(bundle, entry.name), (await stat(path.join(cached, entry.name))).mode & 0o7777);
  }
  const rootfs = path.join(bundle, 'rootfs');
  const lowerStat = await stat(path.join(cached, 'rootfs'));
  await mkdir(rootfs, { mode: lowerStat.mode & 0o7777 });
  if (await mountOverlay(path.join(cached, 'rootfs'), bundle)) return 'overlay';
  await rm(rootfs, { recursive: true, force: true });
  await rm(overlayDir(bundle), { recursive: true, force: true });
  await execOk('cp', ['-a', '--reflink=auto', path.join(cached, 'rootfs'), rootfs], { timeoutMs: 300_000 });
  return 'copy';
}

async function mountOverlay(lower: string, bundle: string): Promise<boolean> {
  const upper = path.join(overlayDir(bundle), 'upper');
  const work = path.join(overlayDir(bundle), 'work');
  await mkdir(upper, { recursive: true, mode: 0o755 });
  await mkdir(work, { recursive: true, mode: 0o700 });
  const options = `lowerdir=${checkOverlayPath(lower)},upperdir=${checkOverlayPath(upper)},workdir=${checkOverlayPath(work)}`;
  const r = await exec('mount', ['-t', 'overlay', 'overlay', '-o', options, path.join(bundle, 'rootfs')]);
  return r.code === 0;
}

/**
 * Mount an overlay rootfs again if it is not (after a reboot, or a server restart on a host
 * that lost the mount); a copied rootfs needs nothing. `lower` is the image's cached unpack.
 */
export async function ensureRootfs(bundle: string, lowerRootfs: string): Promise<void> {
  const rootfs = path.join(bundle, 'rootfs');
  const usesOverlay = await stat(overlayDir(bundle)).then(() => true, () => false);
  if (!usesOverlay || (await isMounted(rootfs))) return;
  if (!(await mountOverlay(lowerRootfs, bundle))) throw new CgdashError('unavailable', `cannot mount the overlay rootfs of ${bundle}`);
}

/** Unmount the rootfs (if it is an overlay) and remove the bundle. */
export async function removeBundle(bundle: string): Promise<void> {
  const rootfs = path.join(bundle, 'rootfs');
  if (await isMounted(rootfs)) {
    const r = await exec('umount', [rootfs]);
    // Busy (a process still holds it): detach now, the kernel frees it when the last user goes.
    if (r.code !== 0) await execOk('umount', ['--lazy', rootfs]);
  }
  await rm(bundle, { recursive: true, force: true });
}

/** Unmount every mount below `dir` (deepest first): for tests tearing down a whole data dir. */
export async function unmountAllUnder(dir: string): Promise<void> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => !!m && m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await exec('umount', [m]);
    if (r.code !== 0) await exec('umount', ['--lazy', m]);
  }
}
