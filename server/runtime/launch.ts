/**
 * Bringing one container's runtime side up and down:
 *   writeBundleConfig  config.json + etc files for this launch (joined namespaces are re-read)
 *   launch             conmon -> runc create -> network attach (pid's netns) -> ready for runc start
 *   teardown           network detach, runc delete, the cgroup (with kill), conmon's files
 *
 * The network namespace is made by runc create; the attach happens after create and before
 * start, on /proc/<pid>/ns/net of the container's init (podman/CRI-O with conmon do the same
 * when they do not pin a netns). Nothing to unmount or leak: the netns dies with the container,
 * and detach copes with a netns that is already gone. The price: a restarted container is
 * attached anew (its address may change).
 */
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError, isCgdashError } from '@/server/lib/errors';
import { startConmon } from './conmon';
import type { ContainerRecord, NetworkRecord } from './container-store';
import { hostsFile, resolvConf, writeInPlace } from './etc-files';
import { hostCapabilities, hostDevices, hostNofileLimit, resolveDeviceNumbers } from './host-refs';
import { buildOciConfig, isSession, type JoinableNamespace } from './oci';
import type { ImageRunConfig, OciConfig } from './oci-types';
import type { OciRuntime } from './oci-runtime';
import type { RuntimePaths } from './paths';
import type { CgroupsPort, NetworkPort } from './ports';
import { parseNamespaceChoice, type ContainerSpec } from './spec';

export interface LaunchDeps {
  paths: RuntimePaths;
  runtime: OciRuntime;
  cgroups: CgroupsPort;
  network: NetworkPort | null;
  conmon: string;
  /** pid of a running container by name (for `container:NAME` namespaces). */
  pidOfContainer(name: string): number | null;
  /** Failures of background steps (the conmon move). */
  onProblem?: (err: unknown) => void;
}

const nsProcName: Record<JoinableNamespace, string> = { network: 'net', pid: 'pid', ipc: 'ipc', uts: 'uts' };

/** Moves of conmon into its cgroup still under way, by container id. */
const conmonMoves = new Map<string, Promise<void>>();

/** Wait until conmon of `id` is in its own cgroup (or the move failed and was reported). */
export async function conmonMoved(id: string): Promise<void> {
  await conmonMoves.get(id);
}

/** conmon's own cgroup, beside the containers in the managed subtree. */
export function conmonCgroupRef(id: string): string {
  return `conmon/${id}`;
}

/**
 * Move the conmon daemon out of the server's cgroup into its own, so a service manager that
 * kills the server's whole cgroup on stop (systemd's KillMode=control-group) leaves conmon, and
 * so the exit code and log of the container, alone. Done after `runc create`, because runc (a
 * child of conmon) resolves the relative cgroupsPath against its own cgroup. A conmon that is
 * already gone (the container ended at once) needs no move.
 */
async function moveConmon(pid: number, id: string, deps: LaunchDeps): Promise<void> {
  const ref = conmonCgroupRef(id);
  await deps.cgroups.create(ref).catch((err) => {
    if (!(isCgdashError(err) && err.kind === 'conflict')) throw err; // left from an earlier run
  });
  try {
    await deps.cgroups.moveProcess(pid, ref);
  } catch (err) {
    if (await conmonAlive(pid, id)) throw err;
  }
}

export function needsNetworkAttach(spec: ContainerSpec): boolean {
  return spec.namespaces.network === 'new' && spec.network !== 'none';
}

/**
 * The cgroupsPath runc gets. Relative (to runc's own cgroup = the server's) when the managed
 * root sits at different paths in different hierarchies, as on this kind of host where the
 * memory hierarchy puts the server under /process_api/<hash>; absolute only where it is the same
 * path everywhere (pure v2, or a server at the root of every hierarchy).
 */
export function runtimeCgroupsPath(cgroups: CgroupsPort, ref: string): string {
  const placements = cgroups.resolve(ref);
  const paths = new Set(placements.map((p) => p.path));
  if (paths.size === 1) return [...paths][0] as string;
  return path.posix.join(cgroups.managedRootName, ref);
}

async function namespacePaths(spec: ContainerSpec, deps: LaunchDeps): Promise<Partial<Record<JoinableNamespace, string>>> {
  const out: Partial<Record<JoinableNamespace, string>> = {};
  const entries: [JoinableNamespace, string][] = [
    ['network', spec.namespaces.network], ['pid', spec.namespaces.pid], ['ipc', spec.namespaces.ipc], ['uts', spec.namespaces.uts],
  ];
  for (const [type, text] of entries) {
    const choice = parseNamespaceChoice(text);
    if (choice.kind === 'container') {
      const pid = deps.pidOfContainer(choice.name);
      if (!pid) throw new CgdashError('invalid', `namespaces.${type}: container ${choice.name} is not running`, { field: `namespaces.${type}` });
      out[type] = `/proc/${pid}/ns/${nsProcName[type]}`;
    } else if (choice.kind === 'named') {
      const p = path.join('/run/netns', choice.name);
      try {
        await access(p);
      } catch {
        throw new CgdashError('invalid', `namespaces.network: no network namespace ${choice.name} (${p})`, { field: 'namespaces.network' });
      }
      out[type] = p;
    }
  }
  return out;
}

export async function writeBundleConfig(rec: ContainerRecord, image: ImageRunConfig, deps: LaunchDeps): Promise<OciConfig> {
  const { paths } = deps;
  const spec = rec.spec;
  const hostname = spec.hostname ?? rec.id.slice(0, 12);
  const etc = { hosts: paths.etcFile(rec.id, 'hosts'), resolvConf: paths.etcFile(rec.id, 'resolv.conf'), hostname: paths.etcFile(rec.id, 'hostname') };
  await writeInPlace(etc.hosts, hostsFile(hostname, [], []));
  await writeInPlace(etc.resolvConf, await resolvConf(spec.namespaces.network !== 'host'));
  await writeInPlace(etc.hostname, `${hostname}\n`);
  const config = buildOciConfig(spec, image, {
    cgroupsPath: runtimeCgroupsPath(deps.cgroups, rec.cgroupRef),
    hostname,
    namespacePaths: await namespacePaths(spec, deps),
    etcFiles: etc,
    deviceNumbers: await resolveDeviceNumbers(spec),
    hostDevices: spec.security.privileged ? await hostDevices() : undefined,
    cgroupVersion: deps.cgroups.mode === 'v2' ? 2 : 1,
    nofile: await hostNofileLimit(),
    availableCaps: await hostCapabilities(),
    annotations: { 'io.cgdash.name': rec.name, ...(rec.tenant ? { 'io.cgdash.tenant': rec.tenant } : {}) },
  });
  await writeFile(path.join(paths.bundle(rec.id), 'config.json'), JSON.stringify(config, null, 2));
  return config;
}

export async function readBundleConfig(paths: RuntimePaths, id: string): Promise<OciConfig | null> {
  try {
    return JSON.parse(await readFile(path.join(paths.bundle(id), 'config.json'), 'utf8')) as OciConfig;
  } catch {
    return null;
  }
}

/** Files of a previous run that would confuse this one. */
async function clearRunFiles(rec: ContainerRecord, deps: LaunchDeps): Promise<void> {
  const { paths } = deps;
  await rm(paths.exitFile(rec.id), { force: true });
  await rm(path.join(paths.persist(rec.id), 'oom'), { force: true });
  await rm(path.join(paths.persist(rec.id), 'exit'), { force: true });
  await rm(paths.containerPidFile(rec.id), { force: true });
}

export interface Launched {
  pid: number;
  conmonPid: number;
  network: NetworkRecord | null;
}

/** conmon + runc create + network attach. On failure everything it made is undone before the throw. */
export async function launch(rec: ContainerRecord, image: ImageRunConfig, deps: LaunchDeps): Promise<Launched> {
  const { paths, runtime } = deps;
  const spec = rec.spec;
  if (needsNetworkAttach(spec) && !deps.network) {
    throw new CgdashError('unavailable', `network ${spec.network}: container networking is not available on this server`, { field: 'network' });
  }
  await runtime.delete(rec.id, { force: true });
  await clearRunFiles(rec, deps);
  await writeBundleConfig(rec, image, deps);
  let started: { containerPid: number; conmonPid: number } | null = null;
  let network: NetworkRecord | null = null;
  try {
    started = await startConmon({
      runtime: runtime.binary,
      runtimeArgs: [`--root=${runtime.root}`],
      conmon: deps.conmon,
      id: rec.id,
      name: rec.name,
      bundle: paths.bundle(rec.id),
      containerPidFile: paths.containerPidFile(rec.id),
      conmonPidFile: paths.conmonPidFile(rec.id),
      logPath: paths.log(rec.id),
      exitDir: paths.exitsDir,
      persistDir: paths.persist(rec.id),
      socketDir: paths.socketDir,
      // A session's tty lives in the attached exec, not with conmon (see isSession).
      terminal: spec.tty && !isSession(spec),
      stdin: spec.interactive && !isSession(spec),
    });
    // runs while the network is attached and runc start runs; teardown waits for it
    const pid = started.conmonPid;
    conmonMoves.set(rec.id, moveConmon(pid, rec.id, deps).catch((err) => deps.onProblem?.(err)).finally(() => conmonMoves.delete(rec.id)));
    if (needsNetworkAttach(spec) && deps.network) {
      const result = await deps.network.attach({
        containerId: rec.id,
        containerName: rec.name,
        netnsPath: `/proc/${started.containerPid}/ns/net`,
        network: spec.network,
        ports: spec.ports,
        ingressRateBps: spec.networkIngressRate,
        egressRateBps: spec.networkEgressRate,
      });
      network = { network: spec.network, ips: result.ips, ports: result.ports };
      const hostname = spec.hostname ?? rec.id.slice(0, 12);
      await writeInPlace(paths.etcFile(rec.id, 'hosts'), hostsFile(hostname, result.hostsEntries, result.ips.map((i) => i.address)));
    }
    return { pid: started.containerPid, conmonPid: started.conmonPid, network };
  } catch (err) {
    await teardown({ ...rec, pid: started?.containerPid ?? null, conmonPid: started?.conmonPid ?? null, network }, deps).catch(() => undefined);
    throw err;
  }
}

/**
 * Whether `pid` is still this container's conmon: running (not a zombie waiting to be reaped)
 * and with the container id on its command line — a recycled pid must never be signalled.
 */
export async function conmonAlive(pid: number | null, id: string): Promise<boolean> {
  if (!pid) return false;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(stat)) return false;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return /conmon$/.test(cmdline[0] ?? '') && cmdline.includes(id);
  } catch {
    return false;
  }
}

/**
 * Undo a launch: detach (idempotent), runc delete --force (kills what is left), the cgroup
 * in every hierarchy (with kill), conmon if it still waits. Each step runs even if one before
 * failed; the first failure is thrown at the end.
 */
export async function teardown(rec: Pick<ContainerRecord, 'id' | 'spec' | 'pid' | 'conmonPid' | 'network' | 'cgroupRef'>, deps: LaunchDeps): Promise<void> {
  const failures: unknown[] = [];
  const step = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(err);
    }
  };
  await conmonMoved(rec.id);
  if (needsNetworkAttach(rec.spec) && deps.network) {
    const network = deps.network;
    await step(() =>
      network.detach({
        containerId: rec.id,
        netnsPath: rec.pid ? `/proc/${rec.pid}/ns/net` : '',
        network: rec.network?.network ?? rec.spec.network,
        ports: rec.network?.ports ?? rec.spec.ports,
      }),
    );
  }
  await step(() => deps.runtime.delete(rec.id, { force: true }));
  await step(async () => {
    try {
      await deps.cgroups.remove(rec.cgroupRef, { kill: true });
    } catch (err) {
      if (!(isCgdashError(err) && err.kind === 'not_found')) throw err;
    }
  });
  // conmon exits by itself once runc delete killed the container; a conmon stuck before that
  // (create never answered) is ours to end.
  if (await conmonAlive(rec.conmonPid, rec.id)) {
    for (let i = 0; i < 20 && (await conmonAlive(rec.conmonPid, rec.id)); i++) await new Promise((r) => setTimeout(r, 25));
    if (await conmonAlive(rec.conmonPid, rec.id)) {
      try {
        process.kill(rec.conmonPid as number, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await step(async () => {
    // conmon may still be on its way out after writing the exit file: a short 'busy' is expected
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.cgroups.remove(conmonCgroupRef(rec.id), { kill: false });
        return;
      } catch (err) {
        if (isCgdashError(err) && err.kind === 'not_found') return;
        if (!(isCgdashError(err) && err.kind === 'busy') || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  await step(() => rm(path.join(deps.paths.socketDir, rec.id), { force: true }));
  if (failures.length) throw failures[0];
}
