import { describe, expect, it } from 'vitest';
import { defaultCapabilities } from './capabilities';
import { buildOciConfig, defaultDeviceRules, weightToShares, type OciContext } from './oci';
import type { ImageRunConfig } from './oci-types';
import { defaultSeccompProfile } from './seccomp';
import { parseContainerSpec, type ContainerSpecInput } from './spec';

const image: ImageRunConfig = { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/work' };
const ctx: OciContext = {
  cgroupsPath: 'cgdash/containers/abc',
  hostname: 'abc123',
  namespacePaths: {},
  cgroupVersion: 1,
  etcFiles: { hosts: '/b/hosts', resolvConf: '/b/resolv.conf', hostname: '/b/hostname' },
  arch: 'x64',
};

function build(input: Partial<ContainerSpecInput>, context: Partial<OciContext> = {}, img: ImageRunConfig = image) {
  return buildOciConfig(parseContainerSpec({ image: 'busybox', ...input }), img, { ...ctx, ...context });
}

describe('buildOciConfig', () => {
  it('has the shape runc 1.1 wants', () => {
    const c = build({});
    expect(c.ociVersion).toBe('1.0.2');
    expect(c.root).toEqual({ path: 'rootfs', readonly: false });
    expect(c.linux.cgroupsPath).toBe('cgdash/containers/abc');
    expect(c.hostname).toBe('abc123');
    expect(c.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
    expect(c.process.noNewPrivileges).toBe(true);
    expect(c.process.cwd).toBe('/work');
    expect(c.process.user).toEqual({ uid: 0, gid: 0 });
  });

  it('builds args like docker', () => {
    expect(build({}).process.args).toEqual(['sh']);
    expect(build({ command: ['echo', 'hi'] }).process.args).toEqual(['echo', 'hi']);
    const ep: ImageRunConfig = { Entrypoint: ['/init'], Cmd: ['--serve'] };
    expect(build({}, {}, ep).process.args).toEqual(['/init', '--serve']);
    expect(build({ command: ['--once'] }, {}, ep).process.args).toEqual(['/init', '--once']);
    expect(build({ entrypoint: ['/other'] }, {}, ep).process.args).toEqual(['/other']);
    expect(() => build({}, {}, {})).toThrow(/no Cmd or Entrypoint/);
  });

  it('merges env: image, spec over image, defaults', () => {
    const env = build({ env: ['A=spec', 'B=2'], tty: true }).process.env;
    expect(env).toEqual(['PATH=/bin', 'A=spec', 'B=2', 'HOSTNAME=abc123', 'TERM=xterm', 'HOME=/root']);
    expect(build({}, {}, { Cmd: ['sh'] }).process.env[0]).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it('takes user and workdir from the spec, then the image', () => {
    expect(build({ user: '1000:50', workingDir: '/tmp' }).process).toMatchObject({ user: { uid: 1000, gid: 50 }, cwd: '/tmp' });
    expect(build({}, {}, { Cmd: ['sh'], User: '7' }).process.user).toEqual({ uid: 7, gid: 7 });
    expect(() => build({}, {}, { Cmd: ['sh'], User: 'nobody' })).toThrow(/numeric/);
  });

  it('mounts the defaults, etc files, tmpfs and volumes in order', () => {
    const c = build({ volumes: ['/srv/data:/data:ro', '/srv/rw:/rw'], tmpfs: ['/run:size=1m,mode=1777'] });
    expect(c.mounts.map((m) => m.destination)).toEqual([
      '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup',
      '/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/run', '/data', '/rw',
    ]);
    expect(c.mounts.find((m) => m.destination === '/data')).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rprivate', 'ro'] });
    expect(c.mounts.find((m) => m.destination === '/rw')?.options).toContain('rw');
    expect(c.mounts.find((m) => m.destination === '/run')?.options).toEqual(['nosuid', 'nodev', 'noexec', 'size=1048576', 'mode=1777']);
    expect(c.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(build({ readOnlyRootfs: true }).root.readonly).toBe(true);
  });

  it('picks namespaces: new, host, joined by path', () => {
    expect(build({}).linux.namespaces).toEqual([{ type: 'mount' }, { type: 'network' }, { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }]);
    const c = build(
      { namespaces: { network: 'ns:blue', pid: 'host', ipc: 'container:db', uts: 'host' } },
      { namespacePaths: { network: '/run/netns/blue', ipc: '/proc/42/ns/ipc' } },
    );
    expect(c.linux.namespaces).toEqual([{ type: 'mount' }, { type: 'network', path: '/run/netns/blue' }, { type: 'ipc', path: '/proc/42/ns/ipc' }]);
    expect(c.hostname).toBeUndefined(); // runc refuses a hostname without a private UTS namespace
    expect(c.mounts.map((m) => m.destination)).not.toContain('/etc/hostname');
    expect(build({}, { cgroupVersion: 2 }).linux.namespaces).toContainEqual({ type: 'cgroup' });
  });

  it('maps a user namespace for uids and gids', () => {
    const c = build({ namespaces: { user: 'new' }, usernsMapping: 'map=0:100000:65536' });
    expect(c.linux.namespaces).toContainEqual({ type: 'user' });
    expect(c.linux.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(c.linux.gidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const hostNet = build({ namespaces: { user: 'new', network: 'host' }, usernsMapping: '0:100000:65536' });
    expect(hostNet.mounts.find((m) => m.destination === '/sys')).toMatchObject({ type: 'none', source: '/sys' });
  });

  it('writes resources', () => {
    const r = build({
      limits: {
        cpus: 1.5, cpuWeight: 100, cpusetCpus: '0', cpusetMems: '0', memory: '64m', memoryReservation: '32m', pidsLimit: 50,
        deviceReadBps: ['8:0:1m', '/dev/vda:2m'], deviceWriteIops: ['8:0:10'],
      },
    }, { deviceNumbers: { '/dev/vda': { major: 254, minor: 0 } } }).linux.resources;
    expect(r.cpu).toEqual({ period: 100000, quota: 150000, shares: weightToShares(100), cpus: '0', mems: '0' });
    expect(r.memory).toEqual({ limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 });
    expect(r.pids).toEqual({ limit: 50 });
    expect(r.blockIO).toEqual({
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 << 20 }, { major: 254, minor: 0, rate: 2 << 20 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 10 }],
    });
    expect(r.devices).toEqual(defaultDeviceRules);
    expect(build({ limits: { memory: '64m', memorySwap: -1 } }).linux.resources.memory).toEqual({ limit: 64 << 20, swap: -1 });
    expect(build({}).linux.resources).toEqual({ devices: defaultDeviceRules });
  });

  it('round-trips cpu weight through runc\'s shares->weight conversion', () => {
    for (const w of [1, 2, 39, 100, 5000, 9999, 10000]) {
      const shares = weightToShares(w);
      expect(1 + Math.floor(((shares - 2) * 9999) / 262142)).toBe(w);
    }
  });

  it('applies docker\'s security defaults', () => {
    const c = build({});
    expect(c.process.capabilities.bounding).toEqual([...defaultCapabilities]);
    expect(c.process.capabilities.inheritable).toEqual([]);
    expect(c.linux.maskedPaths).toContain('/proc/kcore');
    expect(c.linux.readonlyPaths).toContain('/proc/sys');
    expect(c.linux.seccomp).toEqual(defaultSeccompProfile([...defaultCapabilities], 'x64'));
  });

  it('adds and drops capabilities', () => {
    const caps = build({ security: { capAdd: ['SYS_ADMIN'], capDrop: ['NET_RAW', 'chown'] } }).process.capabilities.effective;
    expect(caps).toContain('CAP_SYS_ADMIN');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(build({ security: { capDrop: ['ALL'], capAdd: ['KILL'] } }).process.capabilities.effective).toEqual(['CAP_KILL']);
  });

  it('privileged: every capability, no seccomp, no masks, all devices', () => {
    const c = build({ security: { privileged: true } }, { hostDevices: [{ path: '/dev/loop0', type: 'b', major: 7, minor: 0 }] });
    expect(c.process.capabilities.bounding).toContain('CAP_SYS_ADMIN');
    expect(c.process.capabilities.bounding.length).toBeGreaterThan(38);
    expect(c.linux.seccomp).toBeUndefined();
    expect(c.linux.maskedPaths).toBeUndefined();
    expect(c.linux.readonlyPaths).toBeUndefined();
    expect(c.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(c.linux.devices).toEqual([{ path: '/dev/loop0', type: 'b', major: 7, minor: 0 }]);
    expect(c.mounts.find((m) => m.destination === '/sys')?.options).toContain('rw');
    expect(c.process.noNewPrivileges).toBe(false);
  });

  it('seccomp=unconfined keeps the other defaults', () => {
    const c = build({ security: { seccomp: 'unconfined' } });
    expect(c.linux.seccomp).toBeUndefined();
    expect(c.linux.maskedPaths).toBeDefined();
  });
});

describe('defaultSeccompProfile', () => {
  const names = (caps: Parameters<typeof defaultSeccompProfile>[0]) =>
    defaultSeccompProfile(caps, 'x64').syscalls.flatMap((s) => s.names);

  it('denies the dangerous calls to a default container', () => {
    const p = defaultSeccompProfile([...defaultCapabilities], 'x64');
    expect(p.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    for (const n of ['kexec_load', 'init_module', 'finit_module', 'delete_module', 'mount', 'umount2', 'keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'open_by_handle_at', 'reboot', 'swapon', 'swapoff', 'unshare', 'setns', 'userfaultfd', 'personality']) {
      expect(names([...defaultCapabilities])).toContain(n);
    }
    expect(p.syscalls.every((s) => s.action === 'SCMP_ACT_ERRNO')).toBe(true);
    expect(p.syscalls.find((s) => s.names.includes('clone3'))?.errnoRet).toBe(38);
  });

  it('denies unshare only with a namespace flag, one OR-ed condition per flag', () => {
    const rule = defaultSeccompProfile([...defaultCapabilities], 'x64').syscalls.find((s) => s.names.includes('unshare'));
    expect(rule?.args).toContainEqual({ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' });
    expect(rule?.args?.every((a) => a.index === 0)).toBe(true);
  });

  it('writes argument values as unsigned numbers (runc reads them as uint64)', () => {
    for (const s of defaultSeccompProfile([], 'x64').syscalls) for (const a of s.args ?? []) {
      expect(a.value).toBeGreaterThanOrEqual(0);
      expect(a.valueTwo ?? 0).toBeGreaterThanOrEqual(0);
    }
  });

  it('lets the personality query through', () => {
    const rule = defaultSeccompProfile([], 'x64').syscalls.find((s) => s.names.includes('personality'));
    for (const a of rule?.args ?? []) expect((0xffffffff & a.value) === a.valueTwo).toBe(false);
  });

  it('drops a group when the container holds its capability', () => {
    const withAdmin = names([...defaultCapabilities, 'CAP_SYS_ADMIN']);
    expect(withAdmin).not.toContain('mount');
    expect(withAdmin).not.toContain('unshare');
    expect(withAdmin).toContain('keyctl'); // not namespaced: denied whatever the caps
    expect(names(['CAP_SYS_MODULE'])).not.toContain('init_module');
  });
});

describe('interactive tty sessions (run -it)', () => {
  it('hold the namespaces with the host busybox keeper and leave the tty to the attached exec', () => {
    const c = build({ tty: true, interactive: true, command: ['top'] });
    expect(c.process.args).toEqual(['/dev/.cgdash/busybox', 'sleep', '2147483647']);
    expect(c.process.terminal).toBe(false);
    expect(c.mounts).toContainEqual({ destination: '/dev/.cgdash/busybox', type: 'bind', source: '/bin/busybox', options: ['rbind', 'ro', 'nosuid', 'nodev'] });
  });

  it('leave a tty without -i, or -i without a tty, as they are', () => {
    expect(build({ tty: true, command: ['top'] }).process).toMatchObject({ args: ['top'], terminal: true });
    expect(build({ interactive: true, command: ['cat'] }).process).toMatchObject({ args: ['cat'], terminal: false });
  });
});
