import { describe, expect, it } from 'vitest';
import { cniDerivedNames, validateBridgeName, validateContainerName, validateNetworkName } from './names';

describe('validateNetworkName', () => {
  it('accepts [a-z0-9][a-z0-9_.-]{0,31}', () => {
    for (const ok of ['a', 'cgdash0', 'web_net.v2-a', '0', 'a'.repeat(32)]) expect(validateNetworkName(ok)).toBe(ok);
  });
  it('refuses upper case, leading punctuation, spaces, slashes and length over 32', () => {
    for (const bad of ['', 'Web', '-a', '.a', 'a b', 'a/b', 'a'.repeat(33), 'a\n']) {
      expect(() => validateNetworkName(bad), JSON.stringify(bad)).toThrow(/name: .* is not valid/);
    }
  });
});

describe('validateBridgeName / validateContainerName', () => {
  it('keeps bridge names within IFNAMSIZ', () => {
    expect(validateBridgeName('cgdt1a2b3c')).toBe('cgdt1a2b3c');
    expect(() => validateBridgeName('x'.repeat(16))).toThrow(/bridge/);
    expect(() => validateBridgeName('a:b')).toThrow(/bridge/);
  });
  it('keeps names that go into /etc/hosts free of whitespace', () => {
    expect(validateContainerName('web-1')).toBe('web-1');
    expect(() => validateContainerName('web 1')).toThrow(/containerName/);
    expect(() => validateContainerName('web\n10.0.0.1 evil')).toThrow(/containerName/);
  });
});

describe('cniDerivedNames', () => {
  // Names containernetworking-plugins 1.1.1 created on this machine for network "cgdtx",
  // container "c1abc" (iptables-save and ip link, captured while writing this module).
  it('matches what the plugins name their chains and ifb device', () => {
    expect(cniDerivedNames('cgdtx', 'c1abc')).toEqual({
      masqChain: 'CNI-0094c4660bd369d279520d1a',
      dnatChain: 'CNI-DN-0094c4660bd369d279520',
      ifbDevice: 'bwp0094c4660bd3',
    });
  });
  it('stays within the iptables chain and interface name limits', () => {
    const n = cniDerivedNames('x'.repeat(32), 'y'.repeat(128));
    expect(n.masqChain).toHaveLength(28);
    expect(n.dnatChain).toHaveLength(28);
    expect(n.ifbDevice).toHaveLength(15);
  });
});
