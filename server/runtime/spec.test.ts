import { describe, expect, it } from 'vitest';
import { parseContainerSpec } from './spec';
import { parseRate, parseDeviceRate, parseIdMapping, parsePortMapping, parseRestartPolicy, parseTmpfs, parseVolume } from './spec-formats';

describe('ContainerSpec', () => {
  it('fills defaults and re-parses its own output', () => {
    const spec = parseContainerSpec({ image: 'busybox' });
    expect(spec.namespaces).toEqual({ network: 'new', pid: 'new', ipc: 'new', uts: 'new', user: 'host' });
    expect(spec.security).toEqual({ capAdd: [], capDrop: [], privileged: false, seccomp: 'default', noNewPrivileges: true });
    expect(spec.restartPolicy).toEqual({ name: 'no' });
    expect(spec.network).toBe('none');
    const full = parseContainerSpec({
      image: 'busybox', limits: { memory: '64m', memorySwap: '128m', deviceReadBps: ['8:0:1m'] },
      volumes: ['/tmp:/data'], ports: ['8080:80'], network: 'front', restartPolicy: 'always', usernsMapping: '0:100000:65536',
      namespaces: { user: 'new' },
    });
    expect(parseContainerSpec(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it('accepts structured values from a form', () => {
    const spec = parseContainerSpec({
      image: 'busybox',
      volumes: [{ hostPath: '/tmp/', containerPath: '/data/', readOnly: true }],
      ports: [{ hostPort: 8080, containerPort: 80 }],
      network: 'front',
      limits: { memory: 1048576, deviceWriteBps: [{ device: '/dev/sda', rate: 10 }] },
    });
    expect(spec.volumes[0]).toEqual({ hostPath: '/tmp', containerPath: '/data', readOnly: true });
    expect(spec.ports[0]).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  });

  it('rejects inconsistent namespaces', () => {
    expect(() => parseContainerSpec({ image: 'b', namespaces: { user: 'new' } })).toThrow(/needs a mapping/);
    expect(() => parseContainerSpec({ image: 'b', usernsMapping: '0:1:1' })).toThrow(/only used with a new user namespace/);
    expect(() => parseContainerSpec({ image: 'b', namespaces: { network: 'host' }, network: 'front' })).toThrow(/cannot be attached/);
    expect(() => parseContainerSpec({ image: 'b', namespaces: { pid: 'ns:x' } })).toThrow(/new, host or container:NAME/);
    expect(() => parseContainerSpec({ image: 'b', volumes: ['/a:/x', '/b:/x'] })).toThrow(/mounted twice/);
  });

  it('checks names, env, user', () => {
    expect(() => parseContainerSpec({ image: 'b', name: 'a'.repeat(65) })).toThrow(/at most 64/);
    expect(() => parseContainerSpec({ image: 'b', name: 'ok_name.1-2' })).not.toThrow();
    expect(() => parseContainerSpec({ image: 'b', env: ['NOEQUALS'] })).toThrow(/KEY=VALUE/);
    expect(() => parseContainerSpec({ image: 'b', user: 'root' })).toThrow(/numeric/);
    expect(() => parseContainerSpec({ image: 'b', workingDir: 'rel' })).toThrow(/absolute/);
    expect(() => parseContainerSpec({ image: 'b', limits: { cpusetCpus: '0-' } })).toThrow(/0-3,6/);
  });
});

describe('string forms', () => {
  it('volumes', () => {
    expect(parseVolume('/a//b/:/c')).toEqual({ hostPath: '/a/b', containerPath: '/c', readOnly: false });
    expect(() => parseVolume('/a:/')).toThrow(/root/);
    expect(() => parseVolume('/a:/c:rx')).toThrow(/ro or rw/);
    expect(() => parseVolume('/a/../etc:/c')).toThrow(/\.\./);
  });
  it('tmpfs', () => {
    expect(parseTmpfs('/run')).toEqual({ containerPath: '/run' });
    expect(() => parseTmpfs('/run:exec')).toThrow(/not supported/);
    expect(() => parseTmpfs('/run:mode=999')).toThrow(/octal/);
  });
  it('ports', () => {
    expect(parsePortMapping('80:8080')).toEqual({ hostPort: 80, containerPort: 8080, protocol: 'tcp' });
    expect(parsePortMapping('[::1]:80:8080/udp')).toEqual({ hostIp: '::1', hostPort: 80, containerPort: 8080, protocol: 'udp' });
    expect(() => parsePortMapping('0:80')).toThrow(/1\.\.65535/);
    expect(() => parsePortMapping('80:80/sctp')).toThrow(/tcp or udp/);
  });
  it('device rates', () => {
    expect(parseDeviceRate('/dev/vda:10m', 'bps', 'f')).toEqual({ device: '/dev/vda', rate: 10 * 1024 * 1024 });
    expect(parseDeviceRate('253:0:100', 'iops', 'f')).toEqual({ device: '253:0', rate: 100 });
    expect(() => parseDeviceRate('sda:1m', 'bps', 'f')).toThrow(/MAJ:MIN/);
    expect(() => parseDeviceRate('8:0:1.5', 'iops', 'f')).toThrow(/I\/Os/);
  });
  it('id mappings, restart policies, rates', () => {
    expect(parseIdMapping('map=0:100000:65536')).toEqual({ containerId: 0, hostId: 100000, size: 65536 });
    expect(() => parseIdMapping('0:4294967000:65536')).toThrow(/largest uid/);
    expect(parseRestartPolicy('on-failure')).toEqual({ name: 'on-failure' });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ name: 'always' });
    expect(parseRate('1gbit', 'f')).toBe(125_000_000);
    expect(parseRate('2mbps', 'f')).toBe(2_000_000);
    expect(parseRate('10m', 'f')).toBe(10 * 1024 * 1024);
    expect(parseRate('12345', 'f')).toBe(12345);
    expect(() => parseRate('fast', 'f')).toThrow(/not a rate/);
  });
});
