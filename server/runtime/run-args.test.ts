import { describe, expect, it } from 'vitest';
import { sharesToWeight } from './run-args';
import { parseRunArgs } from './spec';

describe('parseRunArgs', () => {
  it('splits flags, image and command', () => {
    const { spec, detach } = parseRunArgs(['--rm', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'echo -n hi']);
    expect(detach).toBe(true);
    expect(spec.autoRemove).toBe(true);
    expect(spec.name).toBe('web');
    expect(spec.image).toBe('busybox');
    // flags after the image belong to the command
    expect(spec.command).toEqual(['sh', '-c', 'echo -n hi']);
  });

  it('reads --flag=value and glued short flags', () => {
    const { spec } = parseRunArgs(['-it', '-eA=1', '--env=B=2', '-m32m', '--memory-swap=-1', 'busybox']);
    expect(spec.tty).toBe(true);
    expect(spec.interactive).toBe(true);
    expect(spec.env).toEqual(['A=1', 'B=2']);
    expect(spec.limits.memory).toBe(32 * 1024 * 1024);
    expect(spec.limits.memorySwap).toBe(-1);
    expect(spec.command).toBeUndefined();
  });

  it('maps limits', () => {
    const { spec } = parseRunArgs([
      '--cpus', '1.5', '--cpu-shares', '512', '--cpuset-cpus', '0', '--cpuset-mems', '0',
      '--memory', '1g', '--memory-swap', '2g', '--memory-reservation', '512m', '--pids-limit', '100',
      '--device-read-bps', '/dev/sda:1mb', '--device-write-iops', '8:0:300', 'busybox',
    ]);
    expect(spec.limits).toMatchObject({
      cpus: 1.5,
      cpuWeight: sharesToWeight(512),
      cpusetCpus: '0',
      memory: 1024 ** 3,
      memorySwap: 2 * 1024 ** 3,
      memoryReservation: 512 * 1024 ** 2,
      pidsLimit: 100,
      deviceReadBps: [{ device: '/dev/sda', rate: 1024 * 1024 }],
      deviceWriteIops: [{ device: '8:0', rate: 300 }],
    });
  });

  it('maps cpu shares to weight like runc', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
  });

  it('maps namespaces, userns and network', () => {
    const { spec } = parseRunArgs(['--pid', 'host', '--ipc', 'container:db', '--userns', 'map=0:100000:65536', '--network', 'host', 'busybox']);
    expect(spec.namespaces).toEqual({ network: 'host', pid: 'host', ipc: 'container:db', uts: 'new', user: 'new' });
    expect(spec.usernsMapping).toEqual({ containerId: 0, hostId: 100000, size: 65536 });
    const named = parseRunArgs(['--network', 'ns:blue', 'busybox']).spec;
    expect(named.namespaces.network).toBe('ns:blue');
    const net = parseRunArgs(['--network', 'front', '-p', '127.0.0.1:8080:80/udp', '--ingress-rate', '10mbit', 'busybox']).spec;
    expect(net.network).toBe('front');
    expect(net.ports).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    expect(net.networkIngressRate).toBe(1_250_000); // bytes per second
  });

  it('maps security, restart and volumes', () => {
    const { spec } = parseRunArgs([
      '--cap-add', 'sys_admin', '--cap-drop', 'NET_RAW', '--security-opt', 'seccomp=unconfined',
      '--restart', 'on-failure:2', '-v', '/tmp:/data:ro', '--tmpfs', '/run:size=64m,mode=1777', '--read-only', 'busybox',
    ]);
    expect(spec.security).toMatchObject({ capAdd: ['CAP_SYS_ADMIN'], capDrop: ['CAP_NET_RAW'], seccomp: 'unconfined', privileged: false });
    expect(spec.restartPolicy).toEqual({ name: 'on-failure', maxRetries: 2 });
    expect(spec.volumes).toEqual([{ hostPath: '/tmp', containerPath: '/data', readOnly: true }]);
    expect(spec.tmpfs).toEqual([{ containerPath: '/run', sizeBytes: 64 * 1024 * 1024, mode: 0o1777 }]);
    expect(spec.readOnlyRootfs).toBe(true);
  });

  it('--entrypoint clears the image command', () => {
    expect(parseRunArgs(['--entrypoint', '/bin/true', 'busybox']).spec).toMatchObject({ entrypoint: ['/bin/true'], command: [] });
  });

  it('stops at --', () => {
    expect(parseRunArgs(['--rm', '--', 'busybox', '--rm']).spec.command).toEqual(['--rm']);
  });

  it.each([
    [['busybox'], null],
    [[], /an image is required/],
    [['--nope', 'busybox'], /--nope: unknown flag/],
    [['--name'], /needs a value/],
    [['--name', '-bad', 'busybox'], /name:/],
    [['--cap-add', 'CAP_FLY', 'busybox'], /not a Linux capability/],
    [['--memory-swap', '1g', 'busybox'], /needs memory/],
    [['-m', '1g', '--memory-swap', '512m', 'busybox'], /cannot be below memory/],
    [['--userns', 'map=0:1', 'busybox'], /not map=/],
    [['-v', 'relative:/x', 'busybox'], /absolute host path/],
    [['-v', '/tmp:/proc/x', 'busybox'], /inside \/proc/],
    [['-v', '/tmp:/a/../b', 'busybox'], /"\.\."/],
    [['-p', '80', '--network', 'front', 'busybox'], /hostPort:containerPort/],
    [['-p', '8080:80', 'busybox'], /needs a network/],
    [['--restart', 'sometimes', 'busybox'], /on-failure/],
    [['--rm', '--restart', 'always', 'busybox'], /exclude each other/],
    [['--security-opt', 'apparmor=x', 'busybox'], /not supported/],
    [['--cpus', 'lots', 'busybox'], /not a number/],
  ])('%j', (argv, error) => {
    if (error) expect(() => parseRunArgs(argv)).toThrow(error);
    else expect(() => parseRunArgs(argv)).not.toThrow();
  });

  it('names the field of the first problem for forms', () => {
    try {
      parseRunArgs(['-m', 'lots', 'busybox']);
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { field: string } }).details.field).toBe('limits.memory');
    }
  });
});
