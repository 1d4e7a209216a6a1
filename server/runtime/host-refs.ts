/**
 * What a spec names on the host, checked and pinned at create time: volume host paths (must
 * exist; realpath-resolved, and the resolved path is what gets mounted, so swapping a symlink
 * afterwards cannot redirect the mount), /dev paths of throttles (-> major:minor), and the host
 * devices a privileged container gets.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError } from '@/server/lib/errors';
import { allCapabilities } from './capabilities';
import type { OciDevice } from './oci-types';
import type { ContainerSpec } from './spec';

/** Host trees whose content is the kernel's or the runtime's: never bind-mounted read-write. */
const protectedHostPaths = ['/proc', '/sys', '/run/cgdash'];

export async function resolveVolumes(spec: ContainerSpec): Promise<ContainerSpec['volumes']> {
  const out: ContainerSpec['volumes'] = [];
  for (const [i, v] of spec.volumes.entries()) {
    const field = `volumes.${i}.hostPath`;
    let real: string;
    try {
      real = await realpath(v.hostPath);
    } catch {
      throw new CgdashError('invalid', `volume host path ${v.hostPath} does not exist`, { field, value: v.hostPath });
    }
    if (!v.readOnly && protectedHostPaths.some((p) => real === p || real.startsWith(`${p}/`))) {
      throw new CgdashError('forbidden', `volume host path ${v.hostPath} resolves to ${real}, which may only be mounted read-only`, { field, value: v.hostPath });
    }
    out.push({ ...v, hostPath: real });
  }
  return out;
}

export function majorMinor(rdev: number): { major: number; minor: number } {
  // glibc's gnu_dev_major/minor for the 64-bit dev_t
  const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
  return { major, minor };
}

export async function resolveDeviceNumbers(spec: ContainerSpec): Promise<Record<string, { major: number; minor: number }>> {
  const names = [
    ...spec.limits.deviceReadBps, ...spec.limits.deviceWriteBps, ...spec.limits.deviceReadIops, ...spec.limits.deviceWriteIops,
  ].map((d) => d.device).filter((d) => d.startsWith('/dev/'));
  const out: Record<string, { major: number; minor: number }> = {};
  for (const name of new Set(names)) {
    let s;
    try {
      s = await stat(name);
    } catch {
      throw new CgdashError('invalid', `device ${name} does not exist`, { field: 'limits', value: name });
    }
    if (!s.isBlockDevice()) throw new CgdashError('invalid', `${name} is not a block device`, { field: 'limits', value: name });
    out[name] = majorMinor(s.rdev);
  }
  return out;
}

/** Host /dev devices for a privileged container (docker hands it every one). */
export async function hostDevices(devDir = '/dev'): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  const visit = async (dir: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      // pts/ptmx/console belong to the container's own devpts and console
      if (['pts', 'ptmx', 'console', 'shm', 'mqueue', 'fd', 'stdin', 'stdout', 'stderr'].includes(e.name) && dir === devDir) continue;
      if (e.isDirectory() && depth < 1) await visit(p, depth + 1);
      if (!e.isCharacterDevice() && !e.isBlockDevice()) continue;
      const s = await lstat(p).catch(() => null);
      if (!s) continue;
      out.push({ path: p, type: e.isBlockDevice() ? 'b' : 'c', ...majorMinor(s.rdev), fileMode: s.mode & 0o777, uid: s.uid, gid: s.gid });
    }
  };
  await visit(devDir, 0);
  return out;
}

/**
 * The RLIMIT_NOFILE a container can get: docker's 1048576, or less when this process's own hard
 * limit is lower and it lacks CAP_SYS_RESOURCE to raise it (runc then fails with EPERM).
 */
export async function hostNofileLimit(cap = 1_048_576): Promise<number> {
  try {
    const text = await readFile('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+\S+\s+(\d+|unlimited)/m.exec(text);
    if (!m || m[1] === 'unlimited') return cap;
    return Math.min(cap, Number(m[1]));
  } catch {
    return cap;
  }
}

/**
 * Capabilities this server holds in its bounding set: a container can get no more (runc fails
 * "unable to apply caps" otherwise). A sandboxed server may miss some, e.g. CAP_SYS_RESOURCE.
 */
export async function hostCapabilities(): Promise<Set<string>> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const bnd = BigInt(`0x${/^CapBnd:\s+([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
    // allCapabilities is in kernel numbering order: index = capability number
    return new Set(allCapabilities.filter((_c, number) => (bnd >> BigInt(number)) & 1n));
  } catch {
    return new Set(allCapabilities);
  }
}
