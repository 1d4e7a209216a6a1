/**
 * Where the engine keeps things. Persistent (survives reboot): `<dataDir>/containers/<id>/` is
 * the OCI bundle (config.json, rootfs/, umoci metadata) plus ctr.log, etc files and conmon's
 * persist dir. Volatile (tmpfs, gone at reboot like the containers): `<runDir>/runc` (runc state
 * root), `exits/` (conmon exit files), `socket/` (conmon attach sockets), `pids/`.
 */
import path from 'node:path';

export interface RuntimePaths {
  dataDir: string;
  runDir: string;
  imagesDir: string;
  containersDir: string;
  runtimeRoot: string;
  exitsDir: string;
  socketDir: string;
  bundle(id: string): string;
  log(id: string): string;
  persist(id: string): string;
  conmonPidFile(id: string): string;
  containerPidFile(id: string): string;
  exitFile(id: string): string;
  etcFile(id: string, name: 'hosts' | 'resolv.conf' | 'hostname'): string;
}

/** Container ids are 64 lowercase hex digits; nothing else is ever joined into a path. */
export const containerIdPattern = /^[a-f0-9]{64}$/;

export function runtimePaths(dataDir: string, runDir: string): RuntimePaths {
  const containersDir = path.join(dataDir, 'containers');
  const checked = (id: string) => {
    if (!containerIdPattern.test(id)) throw new Error(`not a container id: ${id}`);
    return id;
  };
  const bundle = (id: string) => path.join(containersDir, checked(id));
  return {
    dataDir,
    runDir,
    imagesDir: path.join(dataDir, 'images'),
    containersDir,
    runtimeRoot: path.join(runDir, 'runc'),
    exitsDir: path.join(runDir, 'exits'),
    socketDir: path.join(runDir, 'socket'),
    bundle,
    log: (id) => path.join(bundle(id), 'ctr.log'),
    persist: (id) => path.join(bundle(id), 'userdata'),
    conmonPidFile: (id) => path.join(bundle(id), 'userdata', 'conmon.pid'),
    containerPidFile: (id) => path.join(bundle(id), 'userdata', 'pidfile'),
    exitFile: (id) => path.join(runDir, 'exits', checked(id)),
    etcFile: (id, name) => path.join(bundle(id), 'userdata', name),
  };
}
