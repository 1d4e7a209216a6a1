import { describe, expect, it } from 'vitest';
import { CgdashError } from '@/server/lib/errors';
import { formatCidr, formatIpv4, gatewayFor, overlaps, parseCidrLoose, parseIpv4, parseSubnet, subnetsOf } from './ipv4';

function errorOf(fn: () => unknown): CgdashError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CgdashError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('parseIpv4', () => {
  it('reads dotted quads', () => {
    expect(parseIpv4('10.89.0.1')).toBe(0x0a590001);
    expect(formatIpv4(0x0a590001)).toBe('10.89.0.1');
    expect(formatIpv4(parseIpv4('255.255.255.255')!)).toBe('255.255.255.255');
  });

  it('rejects what is not one', () => {
    for (const bad of ['10.89.0', '10.89.0.256', '010.1.1.1', '1.2.3.4.5', 'a.b.c.d', '', '::1', ' 1.2.3.4']) {
      expect(parseIpv4(bad)).toBeNull();
    }
  });
});

describe('parseSubnet', () => {
  it('accepts canonical private subnets', () => {
    expect(formatCidr(parseSubnet('10.89.0.0/24'))).toBe('10.89.0.0/24');
    expect(formatCidr(parseSubnet(' 172.30.0.0/16 '))).toBe('172.30.0.0/16');
  });

  it('says which network was meant when host bits are set', () => {
    const err = errorOf(() => parseSubnet('10.89.0.7/24'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('did you mean 10.89.0.0/24');
    expect(err.details.field).toBe('subnet');
  });

  it('refuses prefixes too wide or too narrow, IPv6, garbage and reserved ranges', () => {
    expect(errorOf(() => parseSubnet('10.0.0.0/7')).message).toContain('/7 is out of range');
    expect(errorOf(() => parseSubnet('10.0.0.0/30')).message).toContain('/30 is out of range');
    expect(errorOf(() => parseSubnet('fd00::/64')).message).toContain('IPv6');
    expect(errorOf(() => parseSubnet('10.0.0.0')).message).toContain('not an IPv4 subnet');
    expect(errorOf(() => parseSubnet('127.1.0.0/16')).message).toContain('loopback');
    expect(errorOf(() => parseSubnet('169.254.3.0/24')).message).toContain('link-local');
    expect(errorOf(() => parseSubnet('239.1.0.0/16')).message).toContain('multicast');
    expect(errorOf(() => parseSubnet('0.0.0.0/8')).message).toContain('this network');
  });
});

describe('overlaps', () => {
  const c = (t: string) => parseCidrLoose(t)!;
  it('sees nesting both ways and adjacency as no overlap', () => {
    expect(overlaps(c('10.89.0.0/16'), c('10.89.3.0/24'))).toBe(true);
    expect(overlaps(c('10.89.3.0/24'), c('10.89.0.0/16'))).toBe(true);
    expect(overlaps(c('10.89.0.0/24'), c('10.89.0.0/24'))).toBe(true);
    expect(overlaps(c('10.89.0.0/24'), c('10.89.1.0/24'))).toBe(false);
    expect(overlaps(c('10.89.0.0/25'), c('10.89.0.128/25'))).toBe(false);
  });

  it('treats a route to one address as a /32', () => {
    expect(overlaps(c('192.0.2.2'), c('192.0.2.0/24'))).toBe(true);
    expect(overlaps(c('192.0.2.2'), c('192.0.3.0/24'))).toBe(false);
  });

  it('reads routes written with host bits set as their network', () => {
    expect(formatCidr(c('192.0.2.77/24'))).toBe('192.0.2.0/24');
    expect(parseCidrLoose('192.0.2.0/33')).toBeNull();
    expect(parseCidrLoose('default')).toBeNull();
  });
});

describe('gatewayFor', () => {
  const net = parseSubnet('10.89.4.0/24');
  it('defaults to the first host address', () => {
    expect(formatIpv4(gatewayFor(net))).toBe('10.89.4.1');
  });
  it('accepts a host address inside, refuses network, broadcast and outside addresses', () => {
    expect(formatIpv4(gatewayFor(net, '10.89.4.254'))).toBe('10.89.4.254');
    for (const bad of ['10.89.4.0', '10.89.4.255', '10.89.5.1', 'x']) {
      expect(errorOf(() => gatewayFor(net, bad)).details.field).toBe('gateway');
    }
  });
});

describe('subnetsOf', () => {
  it('splits a pool in address order', () => {
    const all = [...subnetsOf(parseSubnet('10.89.0.0/22'), 24)].map(formatCidr);
    expect(all).toEqual(['10.89.0.0/24', '10.89.1.0/24', '10.89.2.0/24', '10.89.3.0/24']);
  });
});
