import { describe, expect, it } from 'vitest';
import { CgdashError } from '@/server/lib/errors';
import { assertNoClashWithin, formatPortMapping, normalizePortMapping, parsePortSpec, portsClash } from './ports';

function errorOf(fn: () => unknown): CgdashError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CgdashError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('parsePortSpec', () => {
  it('reads every docker form', () => {
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' });
    expect(parsePortSpec('8080:80')).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('8080:80/TCP')).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('80')).toEqual({ hostPort: 0, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('53/udp')).toEqual({ hostPort: 0, containerPort: 53, protocol: 'udp' });
    expect(parsePortSpec('127.0.0.1::80')).toEqual({ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('0.0.0.0:443:8443')).toEqual({ hostPort: 443, containerPort: 8443, protocol: 'tcp' });
  });

  it('refuses bad specs with a message naming the spec', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['8080:0', 'container port 0 is out of range'],
      ['70000:80', 'host port 70000 is out of range'],
      ['8080:80/sctp', 'protocol "sctp"'],
      ['1.2.3:8080:80', 'host address "1.2.3"'],
      ['[::1]:8080:80', 'IPv6'],
      ['8000-8010:8000-8010', 'ranges'],
      ['a:b:c:d', 'too many ":"'],
      ['http:80', 'host port "http" is not a port number'],
      ['-1:80', 'not a port number'],
    ];
    for (const [spec, words] of cases) {
      const err = errorOf(() => parsePortSpec(spec));
      expect(err.kind, spec).toBe('invalid');
      expect(err.message, spec).toContain(words);
      expect(err.details).toMatchObject({ field: 'ports', value: spec });
    }
  });
});

describe('formatPortMapping', () => {
  it('writes ports as docker ps does', () => {
    expect(formatPortMapping(parsePortSpec('127.0.0.1:8080:80/udp'))).toBe('127.0.0.1:8080->80/udp');
    expect(formatPortMapping(parsePortSpec('8080:80'))).toBe('0.0.0.0:8080->80/tcp');
  });
});

describe('normalizePortMapping', () => {
  it('drops 0.0.0.0 and checks ranges of mappings built by code', () => {
    expect(normalizePortMapping({ hostIp: '0.0.0.0', hostPort: 1, containerPort: 2, protocol: 'tcp' })).toEqual({
      hostPort: 1,
      containerPort: 2,
      protocol: 'tcp',
    });
    expect(errorOf(() => normalizePortMapping({ hostPort: 1.5, containerPort: 2, protocol: 'tcp' })).kind).toBe('invalid');
    expect(errorOf(() => normalizePortMapping({ hostPort: 1, containerPort: 0, protocol: 'tcp' })).kind).toBe('invalid');
    expect(errorOf(() => normalizePortMapping({ hostPort: 1, containerPort: 2, protocol: 'icmp' as 'tcp' })).kind).toBe('invalid');
    expect(errorOf(() => normalizePortMapping({ hostIp: 'localhost', hostPort: 1, containerPort: 2, protocol: 'tcp' })).kind).toBe(
      'invalid',
    );
  });
});

describe('portsClash', () => {
  const p = (s: string) => parsePortSpec(s);
  it('clashes on the same port and protocol when the addresses meet', () => {
    expect(portsClash(p('8080:80'), p('8080:81'))).toBe(true);
    expect(portsClash(p('127.0.0.1:8080:80'), p('8080:80'))).toBe(true);
    expect(portsClash(p('127.0.0.1:8080:80'), p('127.0.0.1:8080:80'))).toBe(true);
  });
  it('does not clash across protocols, ports, distinct addresses or unpicked ports', () => {
    expect(portsClash(p('8080:80'), p('8080:80/udp'))).toBe(false);
    expect(portsClash(p('8080:80'), p('8081:80'))).toBe(false);
    expect(portsClash(p('127.0.0.1:8080:80'), p('127.0.0.2:8080:80'))).toBe(false);
    expect(portsClash(p('80'), p('80'))).toBe(false);
  });
  it('refuses one request publishing a port twice', () => {
    expect(() => assertNoClashWithin([p('8080:80'), p('8081:81')])).not.toThrow();
    const err = errorOf(() => assertNoClashWithin([p('8080:80'), p('127.0.0.1:8080:81')]));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain('8080');
  });
});
