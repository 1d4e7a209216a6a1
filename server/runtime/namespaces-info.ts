/** A container's namespaces as the kernel shows them: inode per type, and whether the host shares it. */
import { readlink } from 'node:fs/promises';

export const namespaceTypes = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;
export type NamespaceType = (typeof namespaceTypes)[number];

export interface NamespaceInfo {
  type: NamespaceType;
  /** e.g. 4026532281; null when the process is gone. */
  inode: number | null;
  /** Same namespace as the host's init (pid 1), or as this server where pid 1's are hidden from us. */
  sharedWithHost: boolean | null;
}

async function inodeOf(pid: number | 'self', type: NamespaceType, procRoot: string): Promise<number | null> {
  try {
    const link = await readlink(`${procRoot}/${pid}/ns/${type}`);
    const m = /\[(\d+)\]$/.exec(link);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function namespacesOf(pid: number, procRoot = '/proc'): Promise<NamespaceInfo[]> {
  return Promise.all(
    namespaceTypes.map(async (type) => {
      const inode = await inodeOf(pid, type, procRoot);
      // A sandbox may deny reading pid 1's links (EACCES even for root); the server then stands in
      // for the host: it runs in the host's namespaces, which is what a container shares or not.
      const host = (await inodeOf(1, type, procRoot)) ?? (await inodeOf('self', type, procRoot));
      return { type, inode, sharedWithHost: inode === null || host === null ? null : inode === host };
    }),
  );
}
