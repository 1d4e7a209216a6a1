/**
 * ContainerSpec + image config -> OCI runtime `config.json` for runc 1.1 (ociVersion 1.0.2).
 * Pure: everything that needs the host (realpaths, device numbers, the pid of a container whose
 * namespace is joined) is resolved before and passed in `OciContext`.
 */
import { CgdashError } from '@/server/lib/errors';
import { effectiveCapabilities, type Capability } from './capabilities';
import type {
  ImageRunConfig,
  OciConfig,
  OciDevice,
  OciDeviceRule,
  OciMount,
  OciNamespace,
  OciResources,
  OciThrottleDevice,
} from './oci-types';
import { defaultSeccompProfile } from './seccomp';
import type { ContainerSpec } from './spec';

export const ociVersion = '1.0.2';
export const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const cfsPeriodUs = 100_000;
/** RLIMIT_NOFILE as docker gives it (the kernel's default nr_open). */
export const nofileLimit = 1_048_576;

/** runc's and docker's defaults: files under /proc and /sys that leak host information. */
export const defaultMaskedPaths = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const defaultReadonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The devices a container may use by default (runc's and docker's allow-list). */
export const defaultDeviceRules: OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' }, // mknod of any char device (using it is still refused)
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // pts/*
];

export type JoinableNamespace = 'network' | 'pid' | 'ipc' | 'uts';

export interface OciContext {
  /** Relative to the runtime's own cgroup, e.g. `cgdash/containers/<id>`. */
  cgroupsPath: string;
  hostname: string;
  /** Namespaces joined by path: `/proc/PID/ns/net` of another container, `/run/netns/NAME`. */
  namespacePaths: Partial<Record<JoinableNamespace, string>>;
  /** Files in the bundle bind-mounted over /etc/hosts, /etc/resolv.conf, /etc/hostname. */
  etcFiles?: { hosts: string; resolvConf: string; hostname: string };
  /** Device numbers of `/dev/...` names in the spec's throttles, resolved on the host. */
  deviceNumbers?: Record<string, { major: number; minor: number }>;
  /** Host devices handed to a privileged container. */
  hostDevices?: OciDevice[];
  /** v2 gets a private cgroup namespace (docker's default there); v1 keeps the host's. */
  cgroupVersion: 1 | 2;
  annotations?: Record<string, string>;
  arch?: string;
  /** Capabilities the server holds (its bounding set); a container cannot get more. */
  availableCaps?: ReadonlySet<string>;
  /** RLIMIT_NOFILE to give; a runtime without CAP_SYS_RESOURCE cannot go above its own hard limit. */
  nofile?: number;
}

function bad(field: string, message: string): CgdashError {
  return new CgdashError('invalid', message, { field });
}

/**
 * An interactive tty container (`run -it`) is a session: its command runs as a terminal exec
 * attached through the server (the browser terminal or `cgdash run -it`), and a small keeper
 * holds the namespaces meanwhile. conmon's attach socket is SOCK_SEQPACKET, which Node cannot
 * open; an exec under node-pty gives the same terminal with resize. The keeper is the host's
 * static busybox, bound read-only, so it works for any image.
 */
export function isSession(spec: Pick<ContainerSpec, 'interactive' | 'tty'>): boolean {
  return spec.interactive && spec.tty;
}

// Named busybox: the multi-call binary picks its applet from argv[0] otherwise.
export const sessionKeeperPath = '/dev/.cgdash/busybox';
const sessionKeeperSource = '/bin/busybox';

/** docker's rule: an explicit entrypoint drops the image's Cmd unless a command is given too. */
export function processArgs(spec: ContainerSpec, image: ImageRunConfig): string[] {
  const entrypoint = spec.entrypoint ?? image.Entrypoint ?? [];
  const cmd = spec.command ?? (spec.entrypoint !== undefined ? [] : image.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw bad('command', `image ${spec.image} has no Cmd or Entrypoint: give a command`);
  return args;
}

/** Image env, then the spec's (same key wins), then PATH/HOSTNAME/TERM/HOME where missing. */
export function processEnv(spec: ContainerSpec, image: ImageRunConfig, hostname: string, uid: number): string[] {
  const env = new Map<string, string>();
  for (const entry of [...(image.Env ?? []), ...spec.env]) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (!env.has('PATH')) env.set('PATH', defaultPath.slice('PATH='.length));
  env.set('HOSTNAME', hostname);
  if (spec.tty && !env.has('TERM')) env.set('TERM', 'xterm');
  if (!env.has('HOME')) env.set('HOME', uid === 0 ? '/root' : '/');
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** `uid[:gid]`, numeric; the image's User is used when the spec has none. */
export function processUser(spec: ContainerSpec, image: ImageRunConfig): { uid: number; gid: number } {
  const text = spec.user ?? (image.User || '0');
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m) throw bad('user', `user "${text}" of image ${spec.image} is a name; give a numeric uid[:gid] with --user`);
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

function namespaces(spec: ContainerSpec, ctx: OciContext): OciNamespace[] {
  const list: OciNamespace[] = [{ type: 'mount' }];
  const joinable: [JoinableNamespace, string][] = [
    ['network', spec.namespaces.network],
    ['pid', spec.namespaces.pid],
    ['ipc', spec.namespaces.ipc],
    ['uts', spec.namespaces.uts],
  ];
  for (const [type, choice] of joinable) {
    if (choice === 'host') continue;
    if (choice === 'new') list.push({ type });
    else {
      const path = ctx.namespacePaths[type];
      if (!path) throw new CgdashError('internal', `namespace ${type}=${choice} was not resolved to a path`);
      list.push({ type, path });
    }
  }
  if (spec.namespaces.user === 'new') list.push({ type: 'user' });
  if (ctx.cgroupVersion === 2) list.push({ type: 'cgroup' });
  return list;
}

function mounts(spec: ContainerSpec, ctx: OciContext, privileged: boolean): OciMount[] {
  const sysOptions = ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'];
  const list: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  // sysfs belongs to the network namespace: a user namespace that does not own the netns may not
  // mount it, so bind the host's /sys read-only instead (what runc's rootless spec does).
  if (spec.namespaces.user === 'new' && spec.namespaces.network !== 'new') {
    list.push({ destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  } else {
    list.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOptions });
    list.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...sysOptions, 'relatime'] });
  }
  if (ctx.etcFiles) {
    list.push({ destination: '/etc/hosts', type: 'bind', source: ctx.etcFiles.hosts, options: ['rbind', 'rprivate'] });
    list.push({ destination: '/etc/resolv.conf', type: 'bind', source: ctx.etcFiles.resolvConf, options: ['rbind', 'rprivate'] });
    if (spec.namespaces.uts === 'new') {
      list.push({ destination: '/etc/hostname', type: 'bind', source: ctx.etcFiles.hostname, options: ['rbind', 'rprivate'] });
    }
  }
  if (isSession(spec)) {
    list.push({ destination: sessionKeeperPath, type: 'bind', source: sessionKeeperSource, options: ['rbind', 'ro', 'nosuid', 'nodev'] });
  }
  for (const t of spec.tmpfs) {
    const options = ['nosuid', 'nodev', 'noexec'];
    if (t.sizeBytes !== undefined) options.push(`size=${t.sizeBytes}`);
    if (t.mode !== undefined) options.push(`mode=${t.mode.toString(8)}`);
    list.push({ destination: t.containerPath, type: 'tmpfs', source: 'tmpfs', options });
  }
  for (const v of spec.volumes) {
    list.push({ destination: v.containerPath, type: 'bind', source: v.hostPath, options: ['rbind', 'rprivate', v.readOnly ? 'ro' : 'rw'] });
  }
  return list;
}

/** cpu.weight (1..10000) -> cpu.shares so that runc's own shares->weight conversion on v2 gives the weight back. */
export function weightToShares(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262142) / 9999);
}

function throttles(list: { device: string; rate: number }[], ctx: OciContext): OciThrottleDevice[] {
  return list.map(({ device, rate }) => {
    const m = /^(\d+):(\d+)$/.exec(device);
    const nums = m ? { major: Number(m[1]), minor: Number(m[2]) } : ctx.deviceNumbers?.[device];
    if (!nums) throw new CgdashError('internal', `device ${device} was not resolved to major:minor`);
    return { ...nums, rate };
  });
}

export function resources(spec: ContainerSpec, ctx: OciContext): OciResources {
  const l = spec.limits;
  const r: OciResources = {
    devices: spec.security.privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules.map((d) => ({ ...d })),
  };
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (l.cpus !== undefined) {
    cpu.period = cfsPeriodUs;
    cpu.quota = Math.max(1000, Math.round(l.cpus * cfsPeriodUs));
  }
  if (l.cpuWeight !== undefined) cpu.shares = weightToShares(l.cpuWeight);
  if (l.cpusetCpus !== undefined) cpu.cpus = l.cpusetCpus;
  if (l.cpusetMems !== undefined) cpu.mems = l.cpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;

  const memory: NonNullable<OciResources['memory']> = {};
  if (l.memory !== undefined) {
    memory.limit = l.memory;
    // docker: without --memory-swap a container may use as much swap as memory (total = 2x).
    memory.swap = l.memorySwap ?? l.memory * 2;
  }
  if (l.memoryReservation !== undefined) memory.reservation = l.memoryReservation;
  if (Object.keys(memory).length) r.memory = memory;

  if (l.pidsLimit !== undefined) r.pids = { limit: l.pidsLimit };

  const blockIO: NonNullable<OciResources['blockIO']> = {};
  if (l.deviceReadBps.length) blockIO.throttleReadBpsDevice = throttles(l.deviceReadBps, ctx);
  if (l.deviceWriteBps.length) blockIO.throttleWriteBpsDevice = throttles(l.deviceWriteBps, ctx);
  if (l.deviceReadIops.length) blockIO.throttleReadIOPSDevice = throttles(l.deviceReadIops, ctx);
  if (l.deviceWriteIops.length) blockIO.throttleWriteIOPSDevice = throttles(l.deviceWriteIops, ctx);
  if (Object.keys(blockIO).length) r.blockIO = blockIO;
  return r;
}

/**
 * The container's capabilities, within what the server holds: privileged and the defaults are
 * cut down silently (docker does the same on a host missing one), an explicit --cap-add of a
 * capability the server lacks is an error naming it.
 */
export function grantableCapabilities(spec: ContainerSpec, available?: ReadonlySet<string>): Capability[] {
  const caps = effectiveCapabilities(spec.security.capAdd, spec.security.capDrop, spec.security.privileged);
  if (!available) return caps;
  if (!spec.security.privileged) {
    const missing = spec.security.capAdd.filter((c) => c !== 'ALL' && !available.has(c));
    if (missing.length) {
      throw bad('security.capAdd', `this server does not hold ${missing.join(', ')}, so no container can be given ${missing.length > 1 ? 'them' : 'it'}`);
    }
  }
  return caps.filter((c) => available.has(c));
}

export function buildOciConfig(spec: ContainerSpec, image: ImageRunConfig, ctx: OciContext): OciConfig {
  const privileged = spec.security.privileged;
  const caps = grantableCapabilities(spec, ctx.availableCaps);
  const user = processUser(spec, image);
  const hostname = spec.namespaces.uts === 'new' ? ctx.hostname : undefined;
  const config: OciConfig = {
    ociVersion,
    process: {
      terminal: spec.tty && !isSession(spec),
      user,
      args: isSession(spec) ? [sessionKeeperPath, 'sleep', '2147483647'] : processArgs(spec, image),
      env: processEnv(spec, image, hostname ?? ctx.hostname, user.uid),
      cwd: spec.workingDir ?? (image.WorkingDir || '/'),
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: ctx.nofile ?? nofileLimit, soft: ctx.nofile ?? nofileLimit }],
      noNewPrivileges: privileged ? false : spec.security.noNewPrivileges,
    },
    root: { path: 'rootfs', readonly: spec.readOnlyRootfs },
    mounts: mounts(spec, ctx, privileged),
    linux: {
      namespaces: namespaces(spec, ctx),
      resources: resources(spec, ctx),
      cgroupsPath: ctx.cgroupsPath,
    },
  };
  if (hostname !== undefined) config.hostname = hostname;
  if (ctx.annotations) config.annotations = { ...ctx.annotations };
  if (spec.namespaces.user === 'new' && spec.usernsMapping) {
    const m = spec.usernsMapping;
    const mapping = [{ containerID: m.containerId, hostID: m.hostId, size: m.size }];
    config.linux.uidMappings = mapping;
    config.linux.gidMappings = mapping.map((x) => ({ ...x }));
  }
  if (privileged) {
    if (ctx.hostDevices?.length) config.linux.devices = ctx.hostDevices;
  } else {
    config.linux.maskedPaths = [...defaultMaskedPaths];
    config.linux.readonlyPaths = [...defaultReadonlyPaths];
    if (spec.security.seccomp === 'default') config.linux.seccomp = defaultSeccompProfile(caps, ctx.arch);
  }
  return config;
}
